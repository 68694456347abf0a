/**
 * `maillab connect` as a scripted raw client against maillab's own servers:
 * plain, STLS/STARTTLS and implicit TLS, pipelining, JSON events, saved
 * transcripts with secrets masked, meta-commands, and clean failures.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../core/events.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { runMaillab } from '../helpers/maillab-cli.js';

let lab: TestLab;
beforeAll(async () => {
  lab = await startTestLab();
});
afterAll(() => lab.stop());

function events(stdout: string): WireEvent[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as WireEvent);
}

const transitions = (list: WireEvent[]) => list.filter((e) => e.kind === 'transition').map((e) => (e.kind === 'transition' ? `${e.from}->${e.to}` : ''));

describe('maillab connect pop3:// from a script', () => {
  it('sends each command after the previous reply and prints the annotated transcript', async () => {
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${lab.pop3Port}`], 'USER alice\nPASS wonderland\nSTAT\nRETR 2\nQUIT\n');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.filter((line) => /^[CS]: /.test(line))).toEqual([
      expect.stringMatching(/^S: \+OK POP3 server ready <\d+\.\d+@maillab\.test>$/),
      'C: USER alice',
      'S: +OK alice, send PASS',
      'C: PASS ********',
      "S: +OK alice's maildrop has 4 messages (2129 octets)",
      'C: STAT',
      'S: +OK 4 2129',
      'C: RETR 2',
      'S: +OK 466 octets',
      ...Array.from({ length: 12 }, () => expect.stringMatching(/^S: /)),
      'S: .',
      'C: QUIT',
      'S: +OK maillab.test POP3 server signing off (4 messages left)',
    ]);
    expect(result.stdout).toContain('state AUTHORIZATION -> TRANSACTION');
    expect(result.stdout).not.toContain('wonderland');
  });

  it('--json prints one event per line, the same transitions as the server engine saw', async () => {
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${lab.pop3Port}`, '--json'], 'USER bob\nPASS builder\nQUIT\n');
    expect(result.code).toBe(0);
    const list = events(result.stdout);
    expect(transitions(list)).toEqual(['AUTHORIZATION->TRANSACTION', 'TRANSACTION->UPDATE', 'UPDATE->CLOSED']);
    expect(list.filter((e) => e.kind === 'line' && e.from === 'client').map((e) => (e.kind === 'line' ? e.text : ''))).toEqual(['USER bob', 'PASS ********', 'QUIT']);
    expect(result.stdout).not.toContain('builder"');
  });

  it('--pipeline sends a batch in one go and still pairs every reply with its command', async () => {
    // RFC 2449 §6.6: a client pipelines only once CAPA has said PIPELINING, so CAPA goes alone first.
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${lab.pop3Port}`, '--pipeline', '--json'], 'CAPA\nUSER mrose\nPASS tanstaaf\nSTAT\nLIST\nNOOP\nQUIT\n');
    expect(result.code).toBe(0);
    const list = events(result.stdout);
    const commandAnnotations = list.filter((e) => e.kind === 'annotation' && e.about === 'command').map((e) => (e.kind === 'annotation' ? e.key : ''));
    expect(commandAnnotations).toEqual(['pop3.command.CAPA', 'pop3.command.USER', 'pop3.command.PASS', 'pop3.command.STAT', 'pop3.command.LIST', 'pop3.command.NOOP', 'pop3.command.QUIT']);
    // In a batch all client lines come before the replies.
    const order = list.filter((e) => e.kind === 'line').map((e) => (e.kind === 'line' ? e.from[0] : ''));
    expect(order.join('')).toBe('scsccccccssssss');
    expect(transitions(list)).toEqual(['AUTHORIZATION->TRANSACTION', 'TRANSACTION->UPDATE', 'UPDATE->CLOSED']);
  });

  it('--starttls upgrades with STLS and reports the certificate; verification fails without --insecure', async () => {
    const ok = await runMaillab(['connect', `pop3://127.0.0.1:${lab.pop3Port}`, '--starttls', '--insecure', '--json'], 'CAPA\nQUIT\n');
    expect(ok.code).toBe(0);
    const list = events(ok.stdout);
    const tls = list.find((e) => e.kind === 'tls');
    expect(tls).toMatchObject({ kind: 'tls', version: expect.stringMatching(/^TLSv1\.[23]$/), peer: { subject: expect.stringContaining('CN=maillab.test'), verified: false } });
    const capaTags = list.filter((e) => e.kind === 'annotation' && e.about === 'keyword').map((e) => (e.kind === 'annotation' ? e.key : ''));
    expect(capaTags).not.toContain('pop3.capa.STLS');
    const refused = await runMaillab(['connect', `pop3://127.0.0.1:${lab.pop3Port}`, '--starttls'], 'QUIT\n');
    expect(refused.code).toBe(29); // TLS failed (maillab connect --help)
    expect(refused.stderr).toMatch(/^maillab: TLS with 127\.0\.0\.1:\d+ failed: the certificate does not verify: the certificate is self-signed .*\(--insecure accepts a self-signed certificate/);
  });

  it('pop3s:// speaks implicit TLS', async () => {
    const result = await runMaillab(['connect', `pop3s://127.0.0.1:${lab.pop3sPort}`, '--insecure'], 'USER alice\nPASS wonderland\nLIST 1\nQUIT\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/TLS TLSv1\.[23] /);
    expect(result.stdout).toMatch(/^S: \+OK 1 390$/m);
  });

  it('/apop computes the digest from the greeting timestamp, and --save writes a masked transcript', async () => {
    const save = join(lab.dir, 'apop-session.txt');
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${lab.pop3Port}`, '--save', save], '/apop mrose tanstaaf\nSTAT\n/plain alice wonderland\nQUIT\n');
    // AUTH after APOP is refused (already logged in): the login stage failed, 28.
    expect(result.code).toBe(28);
    expect(result.stdout).toMatch(/^C: APOP mrose [0-9a-f]{32}$/m);
    expect(result.stdout).toMatch(/^S: \+OK mrose's maildrop has \d+ messages?/m);
    const text = readFileSync(save, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^S: \+OK POP3 server ready </);
    expect(text).toMatch(/^C: APOP mrose [0-9a-f]{32}$/m);
    expect(text).toMatch(/^C: AUTH PLAIN \*+$/m);
    expect(text).not.toContain(Buffer.from('\0alice\0wonderland').toString('base64'));
    expect(existsSync(`${save}.json`)).toBe(true);
    expect(readFileSync(`${save}.json`, 'utf8').split('\n').filter(Boolean).every((line) => typeof JSON.parse(line).kind === 'string')).toBe(true);
  });
});

describe('maillab connect smtp://', () => {
  it('submission with --starttls, AUTH, DATA and dot-stuffing; the message lands in the Maildir', async () => {
    const before = readdirSync(join(lab.data.mailRoot, 'alice', 'new')).length;
    const script = 'EHLO client.example\n/plain bob builder\nMAIL FROM:<bob@maillab.test>\nRCPT TO:<alice@maillab.test>\nDATA\nSubject: from connect\n\n..stuffed\n.\nQUIT\n';
    const result = await runMaillab(['connect', `smtp://127.0.0.1:${lab.submissionPort}`, '--starttls', '--insecure'], script);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^S: 235 2\.7\.0 Authentication successful$/m);
    expect(result.stdout).toMatch(/^S: 250 2\.0\.0 OK, message \w+ accepted$/m);
    const after = readdirSync(join(lab.data.mailRoot, 'alice', 'new'));
    expect(after.length).toBe(before + 1);
    const newest = after.map((name) => readFileSync(join(lab.data.mailRoot, 'alice', 'new', name), 'utf8')).find((m) => m.includes('Subject: from connect'));
    expect(newest).toMatch(/\r\n\r\n\.stuffed\r\n$/);
  });

  it('--pipeline against the MTA port: a batch up to DATA, then the content, all answered in order', async () => {
    const script = 'EHLO pipe.example\nMAIL FROM:<a@example.org>\nRCPT TO:<bob@maillab.test>\nRCPT TO:<nobody@maillab.test>\nDATA\nSubject: piped\n\nbody\n.\nQUIT\n';
    const result = await runMaillab(['connect', `smtp://127.0.0.1:${lab.smtpPort}`, '--pipeline', '--json'], script);
    expect(result.code).toBe(24); // the refused RCPT, swaks' number (maillab connect --help)
    const list = events(result.stdout);
    const replyCodes = list.filter((e) => e.kind === 'annotation' && /^smtp\.reply\.\d{3}$/.test(e.key)).map((e) => (e.kind === 'annotation' ? e.key.slice(-3) : ''));
    expect(replyCodes).toEqual(['220', '250', '250', '250', '550', '354', '250', '221']);
    expect(transitions(list)).toEqual(['INIT->READY', 'READY->MAIL', 'MAIL->RCPT', 'RCPT->DATA', 'DATA->READY', 'READY->CLOSED']);
  });

  it('smtps:// and --show-bytes make line ends and continuations visible', async () => {
    const result = await runMaillab(['connect', `smtps://127.0.0.1:${lab.smtpsPort}`, '--insecure', '--show-bytes'], 'EHLO x\nQUIT\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^S: 250-PIPELINING␍␊ {3}\("-" after the code: more lines of this reply follow\)$/m);
    expect(result.stdout).toMatch(/^S: 221 2\.0\.0 maillab\.test Service closing transmission channel␍␊$/m);
  });
});

describe('maillab connect --show-bytes on POP3', () => {
  it('shows byte-stuffed lines as sent and checks the RETR octet count against the announced one', async () => {
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${lab.pop3Port}`, '--show-bytes'], 'USER alice\nPASS wonderland\nRETR 2\nQUIT\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^S: \.\.this line starts with a dot␍␊ {3}\(byte-stuffed: /m);
    expect(result.stdout).toMatch(/^S: \.\.␍␊ {3}\(byte-stuffed: /m);
    expect(result.stdout).toMatch(/^S: \.␍␊$/m);
    expect(result.stdout).toMatch(/Message size checked: announced 466 octets, received 466 \(CRLF line ends, byte-stuffing removed, 468 octets on the wire\): they match/);
    const plain = await runMaillab(['connect', `pop3://127.0.0.1:${lab.pop3Port}`], 'USER alice\nPASS wonderland\nRETR 2\nQUIT\n');
    expect(plain.stdout).not.toContain('Message size checked');
  });
});

describe('maillab connect failures', () => {
  it('a refused port is one line and exit 2 (could not connect)', async () => {
    const result = await runMaillab(['connect', 'pop3://127.0.0.1:1'], 'QUIT\n');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('maillab: cannot connect to 127.0.0.1:1: connection refused (nothing listens on that port)\n');
  });

  it('a bad URL is one line and exit 1', async () => {
    const result = await runMaillab(['connect', 'imap://127.0.0.1'], '');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('maillab: unknown scheme "imap"; use pop3, pop3s, smtp or smtps\n');
  });

  it('a server that never answers times out with one line', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const port = (silent.address() as { port: number }).port;
    try {
      const result = await runMaillab(['connect', `smtp://127.0.0.1:${port}`, '--timeout', '1'], 'EHLO x\n');
      expect(result.code).toBe(21); // no greeting
      expect(result.stderr).toMatch(/^maillab: no complete reply within 1 s/);
    } finally {
      silent.close();
    }
  });

  it('a server sending an endless line costs bounded memory and is reported', async () => {
    const { createServer } = await import('node:net');
    const flood = createServer((socket) => {
      socket.on('error', () => {});
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < 4 * 1024 * 1024 && socket.write(chunk)) sent += chunk.length;
        if (sent < 4 * 1024 * 1024) socket.once('drain', pump);
        else socket.end('\r\n');
      };
      pump();
    });
    await new Promise<void>((resolve) => flood.listen(0, '127.0.0.1', () => resolve()));
    const port = (flood.address() as { port: number }).port;
    try {
      const result = await runMaillab(['connect', `smtp://127.0.0.1:${port}`, '--json', '--timeout', '5'], '');
      const list = events(result.stdout);
      expect(list.filter((e) => e.kind === 'error' && e.code === 'LINE_TOO_LONG')).toHaveLength(1);
      // The 4 MB line was dropped, never handed on: no server line event carries it.
      expect(list.filter((e) => e.kind === 'line' && e.from === 'server')).toEqual([]);
    } finally {
      flood.close();
    }
  });
});
