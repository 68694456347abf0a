/**
 * Issue 9, as a new user meets it with `maillab connect` from a script: the
 * mail itself on screen (byte-exact apart from the annotations), the
 * plaintext-password warning once, --annotations, and an exit status for each
 * stage that can fail (documented in `maillab connect --help`).
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../../core/models/exit-status.js';
import { parseFaultRule } from '../../core/faults/parse-fault.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { runMaillab } from '../helpers/maillab-cli.js';
import { scaled } from '../helpers/time.js';

let lab: TestLab;
let dropping: TestLab;
beforeAll(async () => {
  lab = await startTestLab();
  const rule = parseFaultRule('pop3:RETR -> drop');
  if (!rule.ok) throw new Error(rule.reason);
  dropping = await startTestLab({ faults: [rule.rule] });
});
afterAll(async () => {
  await lab.stop();
  await dropping.stop();
});

const pop3 = () => `pop3://127.0.0.1:${lab.pop3Port}`;
const wire = (stdout: string) => stdout.split('\n').filter((line) => /^[CS]: /.test(line));

describe('the mail itself is shown', () => {
  it('RETR prints every line of the message as sent, dot-stuffing and UTF-8 included, then "."', async () => {
    const message = ['Subject: Gr\u00fc\u00dfe', 'From: bob@maillab.test', '', 'Line one, caf\u00e9', '..a line that starts with a dot', 'last'];
    const sent = await runMaillab(['connect', `smtp://127.0.0.1:${lab.smtpPort}`], ['EHLO me', 'MAIL FROM:<bob@maillab.test>', 'RCPT TO:<mrose@maillab.test>', 'DATA', ...message, '.', 'QUIT', ''].join('\n'));
    expect(sent.code).toBe(0);
    // In the script's transcript the message is on the C: side, line by line, as typed.
    expect(wire(sent.stdout)).toEqual(expect.arrayContaining(message.map((line) => `C: ${line}`)));
    const list = await runMaillab(['connect', pop3()], 'USER mrose\nPASS tanstaaf\nLIST\nQUIT\n');
    const last = wire(list.stdout).filter((line) => /^S: \d+ \d+$/.test(line)).length;
    expect(last).toBeGreaterThan(0);
    const result = await runMaillab(['connect', pop3()], `USER mrose\nPASS tanstaaf\nRETR ${last}\nQUIT\n`);
    expect(result.code).toBe(0);
    const lines = wire(result.stdout);
    const start = lines.findIndex((line) => /^S: \+OK \d+ octets$/.test(line));
    const end = lines.indexOf('S: .', start);
    const body = lines.slice(start + 1, end).map((line) => line.slice(3));
    // The server's own header lines come first (Return-Path, Received); the message follows as it crossed the wire.
    expect(body.slice(body.indexOf(message[0]!))).toEqual(message);
    expect(result.stdout).not.toMatch(/\(\d+ lines, \d+ octets/);
  });

  it('a BDAT chunk is shown as a chunk: its lines and its size, no "."', async () => {
    const result = await runMaillab(['connect', `smtp://127.0.0.1:${lab.smtpPort}`], 'EHLO me\nMAIL FROM:<bob@maillab.test>\nRCPT TO:<alice@maillab.test>\nBDAT 4 LAST\nhi\nQUIT\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^C: BDAT 4 LAST\n(?: {3}.*\n)*C: hi\n {3}\(end of the BDAT chunk: 4 octets, counted by the BDAT command, no "\." line\)\nS: 250 /m);
  });

  it('LIST prints the scan listing', async () => {
    const result = await runMaillab(['connect', pop3()], 'USER alice\nPASS wonderland\nLIST\nQUIT\n');
    expect(wire(result.stdout)).toEqual(expect.arrayContaining(['S: 1 390', 'S: 2 466', 'S: .']));
  });

  it('--show-bytes marks the client lines too', async () => {
    const result = await runMaillab(['connect', pop3(), '--show-bytes'], 'USER alice\nQUIT\n');
    expect(result.stdout).toContain('C: USER alice␍␊');
    expect(result.stdout).toMatch(/^S: \+OK alice, send PASS␍␊$/m);
    const data = await runMaillab(['connect', `smtp://127.0.0.1:${lab.smtpPort}`, '--show-bytes'], 'EHLO me\nMAIL FROM:<bob@maillab.test>\nRCPT TO:<alice@maillab.test>\nDATA\nSubject: x\n\n..dot\n.\nQUIT\n');
    expect(data.stdout).toMatch(/^C: \.\.dot␍␊ {3}\(byte-stuffed: /m);
    expect(data.stdout).toMatch(/^C: Subject: x␍␊$/m);
  });
});

describe('explanations', () => {
  it('the generic "+OK" explanation is given once, and --annotations off leaves the wire (and warnings)', async () => {
    const full = await runMaillab(['connect', pop3()], 'USER alice\nPASS wonderland\nSTAT\nNOOP\nQUIT\n');
    expect(full.stdout.match(/^ {3}= \+OK/gm)).toHaveLength(1);
    const off = await runMaillab(['connect', pop3(), '--annotations', 'off'], 'USER alice\nPASS wonderland\nSTAT\nQUIT\n');
    const notes = off.stdout.split('\n').filter((line) => line.startsWith('   '));
    expect(notes.every((line) => line.includes('WARNING')), notes.join('\n')).toBe(true);
    const brief = await runMaillab(['connect', pop3(), '--annotations', 'brief'], 'USER alice\nQUIT\n');
    expect(brief.stdout).toMatch(/^ {3}= USER \(RFC 1939 §7\)$/m);
  });

  it('pop3s:// says TLS came first, never that STLS worked; no raw catalogue key reaches the screen', async () => {
    const result = await runMaillab(['connect', `pop3s://127.0.0.1:${lab.pop3sPort}`, '--insecure'], 'QUIT\n');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('STLS worked');
    expect(result.stdout).toContain('TLS from the first byte');
    expect(result.stdout).toContain('!! WARNING Certificate not verified');
    expect(result.stdout).not.toMatch(/\b(client|pop3|smtp)\.(warning|reply|tls)\.[a-z-]+/);
  });
});

describe('what the server echoes', () => {
  it('an unknown command comes back as typed, not upper-cased', async () => {
    const result = await runMaillab(['connect', pop3()], 'Xtnd xlst\nQUIT\n');
    expect(result.stdout).toMatch(/^S: -ERR unknown command "Xtnd" /m);
    expect(result.stdout).not.toContain('"XTND"');
    expect(result.code).toBe(EXIT_CODES.REFUSED);
  });

  it('a lone base64 token, which could be a credential, is neither shown nor echoed back, in any case', async () => {
    // --force-auth: a token that looks like a credential is otherwise held back (no AUTH exchange is open).
    const result = await runMaillab(['connect', pop3(), '--force-auth'], 'aGVsbG8=\nQUIT\n');
    expect(result.stdout).toMatch(/^S: -ERR unknown command "\*{8}"/m);
    expect(result.stdout).not.toMatch(/aGVsbG8=|AGVSBG8=/);
  });
});

describe('a password over plaintext', () => {
  it('is warned about once per session, and not over TLS', async () => {
    const plain = await runMaillab(['connect', pop3()], 'USER alice\nPASS wrong\nUSER alice\nPASS wonderland\nQUIT\n');
    expect(plain.stdout.match(/!! WARNING Password sent without TLS/g)).toHaveLength(1);
    const lines = plain.stdout.split('\n');
    expect(lines[lines.indexOf('C: PASS ********') + 2]).toContain('!! WARNING Password sent without TLS');
    const secure = await runMaillab(['connect', pop3(), '--starttls', '--insecure'], 'USER alice\nPASS wonderland\nQUIT\n');
    expect(secure.code).toBe(0);
    expect(secure.stdout).not.toContain('Password sent without TLS');
    const smtp = await runMaillab(['connect', `smtp://127.0.0.1:${lab.submissionPort}`], 'EHLO me\n/plain alice wonderland\nQUIT\n');
    expect(smtp.stdout.match(/!! WARNING Password sent without TLS/g)).toHaveLength(1);
  });
});

describe('exit status per stage (maillab connect --help)', () => {
  it('is documented in --help', async () => {
    const help = await runMaillab(['connect', '--help']);
    for (const code of [0, 1, 2, 6, 21, 22, 23, 24, 25, 26, 27, 28, 29, 40, 41, 130]) expect(help.stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
    // send's help lists the same table, less connect's own 41.
    const send = await runMaillab(['send', '--help']);
    for (const code of [0, 1, 2, 6, 21, 22, 23, 24, 25, 26, 27, 28, 29, 40, 130]) expect(send.stdout).toMatch(new RegExp(`^  ${code} +\\S`, 'm'));
    expect(send.stdout).not.toMatch(/^  41 /m);
  });

  it('0 when the session ran to its end', async () => {
    expect((await runMaillab(['connect', pop3()], 'USER alice\nPASS wonderland\nQUIT\n')).code).toBe(EXIT_CODES.OK);
  });

  it('2 when nothing listens', async () => {
    expect((await runMaillab(['connect', 'pop3://127.0.0.1:1'], 'QUIT\n')).code).toBe(EXIT_CODES.CONNECT);
  });

  it('41 for a refused command, 28 for a refused login, swaks\' 23/24 for a refused MAIL/RCPT', async () => {
    expect((await runMaillab(['connect', pop3()], 'USER alice\nPASS wonderland\nDELE 99\nQUIT\n')).code).toBe(EXIT_CODES.REFUSED);
    expect((await runMaillab(['connect', pop3()], 'USER alice\nPASS nope\nQUIT\n')).code).toBe(EXIT_CODES.AUTH);
    expect((await runMaillab(['connect', `smtp://127.0.0.1:${lab.smtpPort}`], 'EHLO me\nRCPT TO:<x@maillab.test>\nQUIT\n')).code).toBe(24);
    expect((await runMaillab(['connect', `smtp://127.0.0.1:${lab.smtpPort}`], 'EHLO me\nMAIL FROM:<bad address>\nQUIT\n')).code).toBe(23);
  });

  it('29 when TLS fails: plain words, no OpenSSL internals', async () => {
    const result = await runMaillab(['connect', `pop3s://127.0.0.1:${lab.pop3Port}`], 'QUIT\n');
    expect(result.code).toBe(EXIT_CODES.TLS);
    expect(result.stderr).toMatch(/^maillab: TLS with 127\.0\.0\.1:\d+ failed: the server did not answer with TLS; is this a plaintext port\? try pop3:\/\/127\.0\.0\.1:\d+, with --starttls to upgrade\n$/);
    expect(result.stderr).not.toMatch(/ssl3|openssl|deps/i);
  });

  it('6 (as swaks) when the server drops the connection: it says so', async () => {
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${dropping.pop3Port}`], 'USER alice\nPASS wonderland\nRETR 1\nQUIT\n');
    expect(result.code).toBe(EXIT_CODES.DROPPED);
    expect(result.stderr).toBe('maillab: the server closed the connection without answering RETR 1 before the session ended\n');
  });

  it('21 when another protocol greets, said within a second with the likely fix', async () => {
    const started = Date.now();
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${lab.smtpPort}`], 'QUIT\n');
    // At once, not at the 30 s reply timeout (the bound allows for a start-up on a busy machine, scaled).
    expect(Date.now() - started).toBeLessThan(scaled(10_000));
    expect(result.code).toBe(EXIT_CODES.GREETING);
    expect(result.stderr).toContain(`this is an SMTP greeting, not POP3: the port ${lab.smtpPort} speaks SMTP; try smtp://127.0.0.1:${lab.smtpPort}`);
    const reverse = await runMaillab(['connect', `smtp://127.0.0.1:${lab.pop3Port}`], 'QUIT\n');
    expect(reverse.code).toBe(EXIT_CODES.GREETING);
    expect(reverse.stderr).toContain('this is a POP3 greeting, not SMTP');
  });

  it('a port that sends no greeting is probed after a second: implicit TLS or a web server ends at once with 21', async () => {
    // The lab's real pop3s listener, asked for as plaintext pop3://: silent until the client starts TLS.
    let started = Date.now();
    const tls = await runMaillab(['connect', `pop3://127.0.0.1:${lab.pop3sPort}`, '--timeout', '30'], 'USER alice\nQUIT\n');
    expect(Date.now() - started).toBeLessThan(scaled(10_000)); // at once, not at the 30 s timeout
    expect(tls.code).toBe(EXIT_CODES.GREETING);
    expect(tls.stdout).toContain('no greeting after 1 s');
    expect(tls.stderr).toContain(`the port completed a TLS handshake: it expects TLS from the first byte (implicit TLS), not plaintext POP3; try pop3s://127.0.0.1:${lab.pop3sPort}`);
    // Nothing typed was sent on the user's connection: the probe runs on its own.
    expect(tls.stdout).not.toContain('C: USER');
    const smtps = await runMaillab(['connect', `smtp://127.0.0.1:${lab.smtpsPort}`, '--timeout', '30'], 'EHLO me\n');
    expect(smtps.code).toBe(EXIT_CODES.GREETING);
    expect(smtps.stderr).toContain(`try smtps://127.0.0.1:${lab.smtpsPort}`);
    // A real HTTP server (node:http) answers the probe's ClientHello with 400.
    const web = createHttpServer((_request, response) => response.end('hello'));
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (web.address() as { port: number }).port;
      started = Date.now();
      const result = await runMaillab(['connect', `pop3://127.0.0.1:${port}`, '--timeout', '30'], 'QUIT\n');
      expect(Date.now() - started).toBeLessThan(scaled(10_000)); // at once, not at the 30 s timeout
      expect(result.code).toBe(EXIT_CODES.GREETING);
      expect(result.stderr).toContain(`the port answered as a web server (HTTP), not POP3; check the port`);
    } finally {
      web.close();
    }
  });

  it('21 for an HTTP server, 6 when a reply never comes; a silent server gets a hint within a second', async () => {
    const http: Server = createServer((socket) => socket.on('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const silentAfterGreeting: Server = createServer((socket) => socket.write('+OK hello\r\n'));
    const silent: Server = createServer(() => {});
    for (const server of [http, silentAfterGreeting, silent]) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server: Server) => (server.address() as { port: number }).port;
    try {
      const quiet = await runMaillab(['connect', `pop3://127.0.0.1:${port(silent)}`, '--timeout', '2'], 'QUIT\n');
      expect(quiet.code).toBe(EXIT_CODES.GREETING);
      expect(quiet.stdout).toContain('no greeting after 1 s');
      expect(quiet.stdout).toContain(`try pop3s://127.0.0.1:${port(silent)}`);
      const timeout = await runMaillab(['connect', `pop3://127.0.0.1:${port(silentAfterGreeting)}`, '--timeout', '1'], 'NOOP\nQUIT\n');
      expect(timeout.code).toBe(EXIT_CODES.TIMEOUT);
      const web = await runMaillab(['connect', `smtp://127.0.0.1:${port(http)}`, '--timeout', '2'], 'EHLO me\n');
      expect(web.stdout + web.stderr).toContain('no greeting after 1 s');
    } finally {
      for (const server of [http, silentAfterGreeting, silent]) server.close();
    }
  });
});
