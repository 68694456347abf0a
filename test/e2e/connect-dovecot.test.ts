/**
 * `maillab connect` against a POP3 server maillab did not write: Dovecot from
 * Debian's packages, started by the test on loopback with a passwd-file and a
 * Maildir in a temp folder. Plain, STLS and implicit TLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../core/events.js';
import { startDovecot, type DovecotPeer } from '../helpers/dovecot.js';
import { runMaillab } from '../helpers/maillab-cli.js';

let dovecot: DovecotPeer;
const MESSAGE_ONE = 'From: a@example.org\nSubject: first\n\nline one\n.starts with a dot\n';
const MESSAGE_TWO = 'From: b@example.org\nSubject: second\n\nhello\n';

beforeAll(async () => {
  dovecot = await startDovecot({ carol: 'secret-carol' });
  dovecot.addMessage('carol', '1700000001.M1P1.test', MESSAGE_ONE);
  dovecot.addMessage('carol', '1700000002.M2P1.test', MESSAGE_TWO);
});
afterAll(() => dovecot.stop());

function events(stdout: string): WireEvent[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as WireEvent);
}
const transitions = (list: WireEvent[]) => list.filter((e) => e.kind === 'transition').map((e) => (e.kind === 'transition' ? `${e.from}->${e.to}` : ''));
const keys = (list: WireEvent[], about: string) => list.filter((e) => e.kind === 'annotation' && e.about === about).map((e) => (e.kind === 'annotation' ? e.key : ''));

describe('maillab connect against Dovecot', () => {
  it('USER/PASS, CAPA, LIST, UIDL, TOP, RETR: states and replies tracked, CAPA tags annotated', async () => {
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`, '--json'], 'CAPA\nUSER carol\nPASS secret-carol\nLIST\nUIDL\nTOP 1 0\nRETR 1\nQUIT\n');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const list = events(result.stdout);
    expect(transitions(list)).toEqual(['AUTHORIZATION->TRANSACTION', 'TRANSACTION->UPDATE', 'UPDATE->CLOSED']);
    expect(keys(list, 'keyword')).toEqual(expect.arrayContaining(['pop3.capa.TOP', 'pop3.capa.UIDL', 'pop3.capa.SASL', 'pop3.capa.STLS', 'pop3.capa.PIPELINING']));
    const bodies = list.filter((e) => e.kind === 'body');
    // CAPA, LIST (2 lines), UIDL (2 lines), TOP, RETR: five multi-line replies, each closed by "." and paired with its command.
    expect(bodies).toHaveLength(5);
    expect(bodies[1]).toMatchObject({ lines: 2 });
    expect(bodies[2]).toMatchObject({ lines: 2 });
    expect(list.some((e) => e.kind === 'annotation' && e.key === 'pop3.retr.size-mismatch')).toBe(false);
    expect(result.stdout).not.toContain('secret-carol');
  });

  it('piped RETR prints the message text as Dovecot sent it, dot-stuffing included, then "." (issue 9)', async () => {
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`], 'USER carol\nPASS secret-carol\nRETR 1\nQUIT\n');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const start = lines.findIndex((line) => /^S: \+OK \d+ octets/.test(line));
    const body = lines.slice(start + 1).filter((line) => /^S: /.test(line));
    expect(body.slice(0, 6)).toEqual(['S: From: a@example.org', 'S: Subject: first', 'S: ', 'S: line one', 'S: ..starts with a dot', 'S: .']);
    expect(result.stdout).toMatch(/!! WARNING Password sent without TLS/);
  });

  it('a wrong password is annotated with its RFC 2449/3206 response code', async () => {
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`, '--json'], 'USER carol\nPASS wrong\nQUIT\n');
    expect(result.code).toBe(28); // a refused login (maillab connect --help)
    const list = events(result.stdout);
    expect(keys(list, 'reply')).toContain('pop3.code.AUTH');
    expect(transitions(list)).toEqual(['AUTHORIZATION->CLOSED']);
  });

  it('APOP with the digest computed from Dovecot\'s greeting timestamp', async () => {
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`], '/apop carol secret-carol\nSTAT\nQUIT\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^C: APOP carol [0-9a-f]{32}$/m);
    expect(result.stdout).toMatch(/^S: \+OK 2 \d+$/m);
    expect(result.stdout).toContain('state AUTHORIZATION -> TRANSACTION');
  });

  it('AUTH PLAIN via /plain and CRAM-MD5 via /cram', async () => {
    const plain = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`, '--json'], '/plain carol secret-carol\nQUIT\n');
    expect(transitions(events(plain.stdout))).toEqual(['AUTHORIZATION->TRANSACTION', 'TRANSACTION->UPDATE', 'UPDATE->CLOSED']);
    const cram = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`, '--json'], 'AUTH CRAM-MD5\n/cram carol secret-carol\nQUIT\n');
    const list = events(cram.stdout);
    expect(list.find((e) => e.kind === 'annotation' && e.key === 'pop3.sasl.challenge')).toMatchObject({ detail: expect.stringMatching(/^<.+@.+>$/) });
    expect(transitions(list)).toEqual(['AUTHORIZATION->TRANSACTION', 'TRANSACTION->UPDATE', 'UPDATE->CLOSED']);
  });

  it('STLS with --starttls, and pop3s: CAPA no longer lists STLS', async () => {
    for (const args of [[`pop3://127.0.0.1:${dovecot.pop3Port}`, '--starttls'], [`pop3s://127.0.0.1:${dovecot.pop3sPort}`]]) {
      const result = await runMaillab(['connect', ...args, '--insecure', '--json'], 'CAPA\nUSER carol\nPASS secret-carol\nSTAT\nQUIT\n');
      expect(result.code).toBe(0);
      const list = events(result.stdout);
      expect(list.find((e) => e.kind === 'tls')).toMatchObject({ version: expect.stringMatching(/^TLSv1\.[23]$/), peer: { verified: false } });
      expect(keys(list, 'keyword')).not.toContain('pop3.capa.STLS');
      expect(transitions(list)).toEqual(['AUTHORIZATION->TRANSACTION', 'TRANSACTION->UPDATE', 'UPDATE->CLOSED']);
    }
  });

  it('replies explained in context: STAT and LIST n in words, a -ERR after DELE says why (issue 22)', async () => {
    // RSET before QUIT: nothing is deleted, the next test still finds both messages.
    const result = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`, '--json'], 'USER carol\nPASS secret-carol\nSTAT\nLIST 2\nDELE 1\nRETR 1\nRSET\nRETR 1\nQUIT\n');
    // 41: the server refused a command (the RETR of the marked message), as the exit-status table says.
    expect(result.code).toBe(41);
    const list = events(result.stdout);
    const detail = (key: string) => list.flatMap((e) => (e.kind === 'annotation' && e.key === key ? [e.detail] : []));
    const serverLines = list.flatMap((e) => (e.kind === 'line' && e.from === 'server' ? [e.text] : []));
    const [, count, octets] = /^\+OK (\d+) (\d+)$/.exec(serverLines.find((line) => /^\+OK \d+ \d+$/.test(line))!)!;
    expect(count).toBe('2');
    expect(detail('pop3.context.stat')).toEqual([`2 messages, ${Number(octets).toLocaleString('en-US')} octets in all`]);
    expect(detail('pop3.context.scan')).toEqual([expect.stringMatching(/^message 2: \d+ octets$/)]);
    // Dovecot refuses RETR of a marked message with a -ERR of its own; the tracker saw DELE 1 accepted. After RSET, RETR 1 works.
    expect(serverLines.filter((line) => line.startsWith('-ERR'))).toHaveLength(1);
    expect(detail('pop3.context.deleted')).toEqual(['message 1 was marked deleted by DELE in this session; RSET undoes it']);
  });

  it('DELE then QUIT: the tracker follows UPDATE, and Dovecot really deleted', async () => {
    const dele = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`, '--json'], 'USER carol\nPASS secret-carol\nDELE 2\nQUIT\n');
    expect(dele.code).toBe(0);
    const after = await runMaillab(['connect', `pop3://127.0.0.1:${dovecot.pop3Port}`], 'USER carol\nPASS secret-carol\nSTAT\nQUIT\n');
    expect(after.stdout).toMatch(/^S: \+OK 1 \d+$/m);
  });
});
