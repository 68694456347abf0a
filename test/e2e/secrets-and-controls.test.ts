/**
 * What the operator sees (issue 14 items 9, 10): `serve --verbose` renders
 * every session's events through the transcript printer; this test renders
 * them the same way and attacks it over raw sockets: credentials sent after a
 * refused AUTH, PASS with a NUL, and terminal escape sequences before login.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTranscriptPrinter } from '../../core/render/transcript.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { rawConnect, type RawClient } from '../helpers/raw-client.js';

let labs: TestLab[] = [];
let clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await Promise.all(labs.map((l) => l.stop()));
  labs = [];
});

async function lab(): Promise<TestLab & { logs: string[] }> {
  const logs: string[] = [];
  const l = await startTestLab({ onAuthLog: (line) => logs.push(line) });
  labs.push(l);
  return Object.assign(l, { logs });
}

async function client(port: number): Promise<RawClient> {
  const c = await rawConnect(port);
  clients.push(c);
  return c;
}

/** The verbose transcript of every session so far, as `serve --verbose` prints it. */
function verbose(l: TestLab): string {
  const printers = new Map<string, ReturnType<typeof createTranscriptPrinter>>();
  const out: string[] = [];
  for (const { listener, connection, event } of l.events) {
    const tag = `${listener}#${connection}`;
    const printer = printers.get(tag) ?? printers.set(tag, createTranscriptPrinter()).get(tag)!;
    for (const line of printer.print(event)) out.push(`[${tag}] ${line}`);
  }
  return out.join('\n');
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

describe('secrets after a refused AUTH', () => {
  it('SMTP: AUTH PLAIN refused with 503 (before EHLO), then the credential line: masked in the transcript and not echoed in the 500', async () => {
    const l = await lab();
    const c = await client(l.submissionPort);
    await c.waitFor(/^220 /);
    const credential = b64('\0alice\0wonderland');
    c.send(`HELO x\r\nAUTH PLAIN\r\n${credential}\r\nQUIT\r\n`);
    await c.waitFor(/221 /);
    expect(c.received).toMatch(/\r\n503 /);
    expect(c.received).not.toContain(credential);
    expect(c.received).toMatch(/500 5\.5\.2 Command "\*{8}" unrecognized/);
    expect(verbose(l)).not.toContain(credential);
  });

  it('SMTP: AUTH LOGIN on the MTA port (504/503), then user and password lines: both masked, neither echoed', async () => {
    const l = await lab();
    const c = await client(l.smtpPort);
    await c.waitFor(/^220 /);
    c.send(`EHLO x\r\nAUTH LOGIN\r\n${b64('alice')}\r\n${b64('wonderland')}\r\nQUIT\r\n`);
    await c.waitFor(/221 /);
    for (const secret of [b64('alice'), b64('wonderland')]) {
      expect(c.received).not.toContain(secret);
      expect(verbose(l)).not.toContain(secret);
    }
  });

  it('POP3: AUTH refused, then the credential line: -ERR does not echo it, the transcript masks it', async () => {
    const l = await lab();
    const c = await client(l.pop3Port);
    await c.waitFor(/^\+OK/);
    const credential = b64('\0alice\0wonderland');
    c.send(`AUTH X-NONE\r\n${credential}\r\nQUIT\r\n`);
    await c.closed;
    expect(c.received).not.toContain(credential);
    expect(verbose(l)).not.toContain(credential);
  });

  it('POP3: PASS followed by a NUL instead of a space: masked', async () => {
    const l = await lab();
    const c = await client(l.pop3Port);
    await c.waitFor(/^\+OK/);
    c.send('USER alice\r\nPASS\0wonderland\r\nQUIT\r\n');
    await c.closed;
    expect(c.received).not.toContain('wonderland');
    expect(verbose(l)).not.toContain('wonderland');
  });
});

describe('control bytes from the network', () => {
  const attack = 'NOOP \x1b]0;owned\x07\x1b[2J\x9b31m\rS: 250 forged';

  it('SMTP: ESC and other C0 controls in a command line are refused (500 5.5.2), and the transcript shows them escaped', async () => {
    const l = await lab();
    const c = await client(l.smtpPort);
    await c.waitFor(/^220 /);
    c.send(`${attack}\r\nNOOP \x1b[2J\r\nQUIT\r\n`);
    await c.waitFor(/221 /);
    expect(c.received).toMatch(/500 5\.5\.2 (Bare CR|control character)/);
    expect(c.received).toMatch(/500 5\.5\.2 control character 0x1b at position 6/);
    const text = verbose(l);
    expect(text).not.toMatch(CONTROL);
    expect(text).toContain('\\x1b]0;owned\\x07');
    expect(text).not.toMatch(/^S: 250 forged/m);
  });

  it('POP3: the same bytes before login never reach the transcript raw', async () => {
    const l = await lab();
    const c = await client(l.pop3Port);
    await c.waitFor(/^\+OK/);
    c.send(`${attack}\r\nUSER \x1b[31malice\r\nQUIT\r\n`);
    await c.closed;
    expect(verbose(l)).not.toMatch(CONTROL);
  });
});
