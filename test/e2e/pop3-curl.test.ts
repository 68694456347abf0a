/**
 * End to end with a client maillab did not write: the system `curl` (libcurl's
 * POP3 support) against a real lab on loopback, plain, STLS and implicit TLS.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toWireFormat } from '../../core/framing/dot-stuffing.js';
import { GB2312_BODY_TEXT } from '../../core/sandbox/demo-messages.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { rawConnect } from '../helpers/raw-client.js';
import { scaled, until } from '../helpers/time.js';

interface CurlResult {
  /** curl's exit status; 0 on success. */
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs curl asynchronously (the lab runs in this process, so a sync call would deadlock). */
function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['--max-time', '20', ...args], { encoding: 'buffer', timeout: scaled(30_000) }, (error, stdout, stderr) => {
      const code = error ? (error as NodeJS.ErrnoException & { code?: unknown }).code : 0;
      if (typeof code !== 'number') {
        reject(new Error(`curl did not run: ${error?.message}`));
        return;
      }
      resolve({ code, stdout, stderr: stderr.toString('utf8') });
    });
  });
}

/** Runs curl and insists it succeeded. */
async function curlOk(args: string[]): Promise<Buffer> {
  const result = await curl(args);
  if (result.code !== 0) throw new Error(`curl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

let labs: { lab: TestLab; open: Set<number> }[] = [];

/** A lab that also tracks which of its connections are still open. */
async function lab(): Promise<TestLab & { idle(): Promise<void> }> {
  const open = new Set<number>();
  const started = await startTestLab({
    onConnection: (_listener, connection, _remote, isOpen) => {
      if (isOpen) open.add(connection);
      else open.delete(connection);
    },
  });
  labs.push({ lab: started, open });
  return Object.assign(started, {
    /** Waits until every session has ended (and released its maildrop lock). */
    async idle() {
      await until(() => open.size === 0, 'every session to end', 2000, { detail: () => `${open.size} still open` });
    },
  });
}

afterEach(async () => {
  for (const { lab: l } of labs.reverse()) await l.stop();
  labs = [];
});

const ALICE = ['-u', 'alice:wonderland'];
const url = (port: number, path = '', scheme = 'pop3') => `${scheme}://127.0.0.1:${port}/${path}`;

/** LIST through a raw socket: message number -> size. */
async function rawList(port: number): Promise<string[]> {
  const client = await rawConnect(port);
  try {
    client.send('USER alice\r\nPASS wonderland\r\nLIST\r\nQUIT\r\n');
    const text = await client.waitFor(/\r\n\.\r\n\+OK[^\r]*\r\n/);
    const body = text.slice(text.indexOf('+OK 4 messages'));
    return body.split('\r\n').slice(1, body.split('\r\n').indexOf('.'));
  } finally {
    client.close();
  }
}

/** Alice's Maildir files, message number order (the store sorts by delivery time, then name). */
function aliceFiles(l: TestLab): Buffer[] {
  const names: { path: string; name: string }[] = [];
  for (const sub of ['new', 'cur']) {
    const folder = join(l.data.mailRoot, 'alice', sub);
    for (const name of readdirSync(folder)) if (!name.startsWith('.')) names.push({ path: join(folder, name), name });
  }
  names.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return names.map(({ path }) => toWireFormat(readFileSync(path)));
}

/** What the server saw the client send on each connection, in order. */
function clientLines(l: TestLab, listener?: string): Map<number, string[]> {
  const byConnection = new Map<number, string[]>();
  for (const { listener: name, connection, event } of l.events) {
    if (listener && name !== listener) continue;
    if (event.kind === 'line' && event.from === 'client') byConnection.set(connection, [...(byConnection.get(connection) ?? []), event.text]);
  }
  return byConnection;
}

describe('curl (libcurl POP3) against the lab', () => {
  it('pop3:// without a message number lists the 4 messages with the sizes LIST gives', async () => {
    const l = await lab();
    const expected = await rawList(l.pop3Port);
    expect(expected).toHaveLength(4);
    await l.idle();
    const out = await curlOk(['-s', url(l.pop3Port), ...ALICE]);
    const lines = out.toString('latin1').split('\r\n').filter((line) => line !== '');
    expect(lines).toEqual(expected);
    expect(lines.map((line) => Number(line.split(' ')[1]))).toEqual(aliceFiles(l).map((file) => file.length));
  });

  it('pop3://…/2 retrieves message 2 with the dot-stuffed lines unstuffed', async () => {
    const l = await lab();
    const out = await curlOk(['-s', url(l.pop3Port, '2'), ...ALICE]);
    expect(out.equals(aliceFiles(l)[1]!)).toBe(true);
    const lines = out.toString('latin1').split('\r\n');
    expect(lines).toContain('.this line starts with a dot');
    expect(lines).toContain('.');
    expect(lines).not.toContain('..this line starts with a dot');
    expect(lines).not.toContain('..');
    // And on the wire the server did stuff them: curl sent RETR 2 and got it back intact.
    expect([...clientLines(l).values()].flat()).toContain('RETR 2');
  });

  it('-X UIDL lists ids that name the Maildir files', async () => {
    const l = await lab();
    const out = await curlOk(['-s', '-X', 'UIDL', url(l.pop3Port), ...ALICE]);
    const lines = out.toString('latin1').split('\r\n').filter((line) => line !== '');
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['1', '2', '3', '4']);
    const names = readdirSync(join(l.data.mailRoot, 'alice', 'new'));
    for (const line of lines) {
      const uid = line.split(' ')[1]!;
      expect(names.some((name) => name.split(/[,:]/)[0] === uid), `a file for ${uid}`).toBe(true);
    }
  });

  it('-X DELE -I on message 1 then curl\'s QUIT removes it; the next LIST has 3', async () => {
    const l = await lab();
    const before = aliceFiles(l);
    await curlOk(['-s', '-X', 'DELE', '-I', url(l.pop3Port, '1'), ...ALICE]);
    await l.idle();
    const out = await curlOk(['-s', url(l.pop3Port), ...ALICE]);
    const lines = out.toString('latin1').split('\r\n').filter((line) => line !== '');
    expect(lines.map((line) => Number(line.split(' ')[1]))).toEqual(before.slice(1).map((file) => file.length));
    expect(aliceFiles(l)).toHaveLength(3);
  });

  it('--ssl-reqd -k upgrades the plain port with STLS before logging in, then retrieves message 1', async () => {
    const l = await lab();
    const out = await curlOk(['-s', '--ssl-reqd', '-k', url(l.pop3Port, '1'), ...ALICE]);
    expect(out.equals(aliceFiles(l)[0]!)).toBe(true);
    const [connection, lines] = [...clientLines(l, 'pop3').entries()][0]!;
    expect(lines).toContain('STLS');
    // No credentials before the handshake: the TLS event comes before any AUTH/USER/APOP line.
    const mine = l.events.filter((e) => e.connection === connection);
    const tls = mine.findIndex((e) => e.event.kind === 'tls');
    const login = mine.findIndex((e) => e.event.kind === 'line' && e.event.from === 'client' && /^(AUTH|USER|APOP)\b/.test(e.event.text));
    expect(tls).toBeGreaterThan(-1);
    expect(login).toBeGreaterThan(tls);
  });

  it('pop3s:// -k retrieves the GB2312 message 4; its body decodes to the expected text', async () => {
    const l = await lab();
    const out = await curlOk(['-s', '-k', url(l.pop3sPort, '4', 'pop3s'), ...ALICE]);
    expect(out.equals(aliceFiles(l)[3]!)).toBe(true);
    const body = out.subarray(out.indexOf('\r\n\r\n') + 4);
    expect(new TextDecoder('gb2312', { fatal: true }).decode(body)).toBe(GB2312_BODY_TEXT.replace(/\n/g, '\r\n'));
    expect(l.events.some((e) => e.listener === 'pop3s' && e.event.kind === 'tls')).toBe(true);
  });

  it('a wrong password makes curl fail with "login denied" (exit 67), and leaves the maildrop usable', async () => {
    const l = await lab();
    const denied = await curl(['-s', url(l.pop3Port, '1'), '-u', 'alice:not-the-password']);
    expect(denied.code).toBe(67);
    expect(denied.stdout.length).toBe(0);
    await l.idle();
    const out = await curlOk(['-s', url(l.pop3Port, '1'), ...ALICE]);
    expect(out.equals(aliceFiles(l)[0]!)).toBe(true);
  });

  for (const [option, sent] of [
    ['AUTH=PLAIN', /^AUTH PLAIN\b/],
    ['AUTH=LOGIN', /^AUTH LOGIN\b/],
    ['AUTH=CRAM-MD5', /^AUTH CRAM-MD5$/],
    ['AUTH=+APOP', /^APOP mrose [0-9a-f]{32}$/],
  ] as const) {
    it(`--login-options ${option} logs in with that method`, async () => {
      const l = await lab();
      // Over STLS, so the plaintext mechanisms are offered whatever the peer.
      const user = option === 'AUTH=+APOP' ? 'mrose:tanstaaf' : 'alice:wonderland';
      const out = await curlOk(['-s', '--ssl-reqd', '-k', '--login-options', option, url(l.pop3Port), '-u', user]);
      const lines = out.toString('latin1').split('\r\n').filter((line) => line !== '');
      expect(lines).toHaveLength(option === 'AUTH=+APOP' ? 0 : 4);
      const sentLines = [...clientLines(l).values()].flat();
      expect(sentLines.some((line) => sent.test(line)), sentLines.join(' | ')).toBe(true);
      expect(sentLines).toContain('LIST');
    });
  }
});
