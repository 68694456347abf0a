/**
 * The POP3 listeners under a misbehaving or unlucky client, over raw sockets:
 * locking, dropped connections, pipelining, STLS injection, line limits, bad
 * bytes, the bad-command counter, the idle timer and the connection caps.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../core/lab/lab-server.js';
import { LOCK_FILE } from '../../core/store/maildrop-lock.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { rawConnect, type RawClient } from '../helpers/raw-client.js';
import { quietFor, scaled, until, within } from '../helpers/time.js';

interface Lab extends TestLab {
  /** Connections the lab still has open. */
  open: Set<number>;
  /** Waits until every session has ended (and so released its maildrop lock). */
  idle(): Promise<void>;
}

let labs: TestLab[] = [];
let clients: RawClient[] = [];
let tlsSockets: TLSSocket[] = [];

async function lab(overrides: Partial<LabConfig> = {}, dir?: string): Promise<Lab> {
  const open = new Set<number>();
  const started = await startTestLab(
    {
      ...overrides,
      onConnection: (_listener, connection, _remote, isOpen) => {
        if (isOpen) open.add(connection);
        else open.delete(connection);
      },
    },
    dir,
  );
  labs.push(started);
  return Object.assign(started, {
    open,
    async idle() {
      await until(() => open.size === 0, 'every session to end', 5000, { detail: () => `${open.size} still open` });
    },
  });
}

afterEach(async () => {
  for (const socket of tlsSockets) socket.destroy();
  for (const client of clients) client.close();
  for (const l of labs.reverse()) await l.stop();
  labs = [];
  clients = [];
  tlsSockets = [];
});


/** Connects and waits for the server's first line (a greeting or a refusal). */
async function connect(port: number, options: { tls?: boolean } = {}): Promise<RawClient> {
  const client = await rawConnect(port, options);
  clients.push(client);
  await client.waitFor('\r\n');
  return client;
}

/** Sends one line and waits for one more complete reply line than there was. */
async function command(client: RawClient, line: string | Buffer, until: RegExp = /\r\n/): Promise<string> {
  const start = client.received.length;
  client.send(typeof line === 'string' ? `${line}\r\n` : line);
  const sticky = new RegExp(`^[\\s\\S]{${start}}[\\s\\S]*?${until.source}`);
  await client.waitFor(sticky);
  return client.received.slice(start);
}

/** The text of a multi-line reply, up to and including its terminating dot. */
const MULTI = /\r\n\.\r\n/;

async function login(client: RawClient, user = 'alice', password = 'wonderland'): Promise<string> {
  await command(client, `USER ${user}`);
  return command(client, `PASS ${password}`);
}

/** True when the server closed the connection within `ms` (scaled by MAILLAB_TEST_TIME_FACTOR). */
async function closedWithin(client: RawClient, ms = 5000): Promise<boolean> {
  return within(client.closed, ms);
}

function aliceFiles(l: TestLab): string[] {
  const folder = join(l.data.mailRoot, 'alice');
  return ['new', 'cur'].flatMap((sub) => readdirSync(join(folder, sub)).filter((name) => !name.startsWith('.')));
}

describe('maildrop locking and dropped connections', () => {
  it('a second concurrent login of the same user gets -ERR [IN-USE]; it succeeds once the first session quits', async () => {
    const l = await lab();
    const first = await connect(l.pop3Port);
    expect(await login(first)).toMatch(/^\+OK alice's maildrop has 4 messages/);

    const second = await connect(l.pop3Port);
    const refused = await login(second);
    expect(refused).toMatch(/^-ERR \[IN-USE\] /);
    // Still in AUTHORIZATION: CAPA offers USER again, and STAT is refused.
    expect(await command(second, 'STAT')).toMatch(/^-ERR .*AUTHORIZATION/);

    expect(await command(first, 'QUIT')).toMatch(/^\+OK .*signing off/);
    expect(await login(second)).toMatch(/^\+OK alice's maildrop has 4 messages/);
    expect(await command(second, 'STAT')).toMatch(/^\+OK 4 \d+\r\n$/);
  });

  it('a socket killed after DELE (no QUIT) deletes nothing: the message is still served and still in the Maildir', async () => {
    const l = await lab();
    const before = aliceFiles(l);
    expect(before).toHaveLength(4);
    const client = await connect(l.pop3Port);
    await login(client);
    const uid = (await command(client, 'UIDL 1')).trim().split(' ')[2]!;
    expect(await command(client, 'DELE 1')).toBe('+OK message 1 deleted\r\n');
    expect(await command(client, 'STAT')).toMatch(/^\+OK 3 /);
    client.close();
    await l.idle();

    const again = await connect(l.pop3Port);
    expect(await login(again)).toMatch(/^\+OK alice's maildrop has 4 messages/);
    expect(await command(again, 'UIDL 1')).toBe(`+OK 1 ${uid}\r\n`);
    expect(aliceFiles(l).sort()).toEqual(before.sort());
    // The drop was a transition to CLOSED without UPDATE.
    expect(l.events.some((e) => e.event.kind === 'transition' && e.event.cause === 'the connection was dropped without QUIT')).toBe(true);
  });

  it('a connection dropped while its pipelined PASS is still opening the maildrop does not leave the maildrop locked', async () => {
    const l = await lab();
    for (let i = 0; i < 10; i++) {
      const client = await connect(l.pop3Port);
      client.send('USER alice\r\nPASS wonderland\r\n');
      client.close();
      await l.idle();
    }
    const lock = join(l.data.mailRoot, 'alice', LOCK_FILE);
    expect(existsSync(lock), 'lock file left behind').toBe(false);
    const client = await connect(l.pop3Port);
    expect(await login(client)).toMatch(/^\+OK alice's maildrop has 4 messages/);
    expect(existsSync(lock)).toBe(true);
    await command(client, 'QUIT');
    await l.idle();
    expect(existsSync(lock)).toBe(false);
  });

  it('lab.close() ends open sessions (plain, STLS-upgraded) without UPDATE', async () => {
    const l = await lab();
    const plain = await connect(l.pop3Port);
    await login(plain);
    expect(await command(plain, 'DELE 2')).toMatch(/^\+OK/);

    const upgraded = await connect(l.pop3Port);
    expect(await command(upgraded, 'STLS')).toMatch(/^\+OK Begin TLS/);
    const secure = tlsConnect({ socket: upgraded.socket, rejectUnauthorized: false });
    tlsSockets.push(secure);
    secure.on('error', () => {});
    await new Promise<void>((resolve) => secure.once('secureConnect', () => resolve()));
    const secureClosed = new Promise<void>((resolve) => secure.once('close', () => resolve()));

    await l.close();
    expect(l.open.size).toBe(0);
    expect(await closedWithin(plain)).toBe(true);
    await secureClosed;
    expect(aliceFiles(l)).toHaveLength(4);
    expect(existsSync(join(l.data.mailRoot, 'alice', LOCK_FILE))).toBe(false);
  });
});

describe('pipelining', () => {
  it('a whole session in one write is answered in order', async () => {
    const l = await lab();
    const client = await connect(l.pop3Port);
    client.send('USER alice\r\nPASS wonderland\r\nSTAT\r\nLIST\r\nNOOP\r\nQUIT\r\n');
    await client.closed;
    const transcript = client.received;
    const octets = /maildrop has 4 messages \((\d+) octets\)/.exec(transcript)?.[1];
    expect(octets).toBeDefined();
    expect(transcript).toMatch(
      new RegExp(
        '^\\+OK POP3 server ready <[^>]+@[^>]+>\\r\\n' +
          '\\+OK alice, send PASS\\r\\n' +
          `\\+OK alice's maildrop has 4 messages \\(${octets} octets\\)\\r\\n` +
          `\\+OK 4 ${octets}\\r\\n` +
          `\\+OK 4 messages \\(${octets} octets\\)\\r\\n1 \\d+\\r\\n2 \\d+\\r\\n3 \\d+\\r\\n4 \\d+\\r\\n\\.\\r\\n` +
          '\\+OK\\r\\n' +
          '\\+OK \\S+ POP3 server signing off \\(4 messages left\\)\\r\\n$',
      ),
    );
    const sizes = [...transcript.matchAll(/^[1-4] (\d+)$/gm)].map((m) => Number(m[1]));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(Number(octets));
  });

  it('hundreds of pipelined commands in one write (past the queue limit) are all answered, in order', async () => {
    const l = await lab();
    const client = await connect(l.pop3Port);
    const count = 300;
    const lines = ['USER alice', 'PASS wonderland'];
    for (let i = 1; i <= count; i++) lines.push(`LIST ${(i % 4) + 1}`);
    lines.push('QUIT');
    client.send(lines.map((line) => `${line}\r\n`).join(''));
    await client.closed;
    const replies = client.received.split('\r\n').filter((line) => line !== '');
    expect(replies).toHaveLength(1 + 2 + count + 1);
    const listed = replies.slice(3, 3 + count).map((reply) => Number(/^\+OK (\d+) \d+$/.exec(reply)?.[1]));
    expect(listed).toEqual(Array.from({ length: count }, (_, i) => ((i + 1) % 4) + 1));
    expect(replies.at(-1)).toMatch(/signing off/);
  });

  it('a client that half-closes right after its pipelined commands still gets every reply, and its QUIT is carried out', async () => {
    const l = await lab();
    const client = await connect(l.pop3Port);
    client.socket.end('USER alice\r\nPASS wonderland\r\nDELE 1\r\nSTAT\r\nQUIT\r\n');
    expect(await closedWithin(client)).toBe(true);
    const replies = client.received.split('\r\n').filter((line) => line !== '').slice(1);
    expect(replies).toHaveLength(5);
    expect(replies[1]).toMatch(/^\+OK alice's maildrop has 4 messages/);
    expect(replies[2]).toBe('+OK message 1 deleted');
    expect(replies[3]).toMatch(/^\+OK 3 \d+$/);
    expect(replies[4]).toMatch(/^\+OK .*signing off \(3 messages left\)$/);
    await l.idle();
    expect(aliceFiles(l)).toHaveLength(3);
  });

  for (const tls of [false, true]) {
    it(`half-close without QUIT${tls ? ' (pop3s)' : ''}: every reply is sent, then the server closes; nothing is deleted`, async () => {
      const l = await lab();
      const client = await connect(tls ? l.pop3sPort : l.pop3Port, { tls });
      client.socket.end('USER alice\r\nPASS wonderland\r\nDELE 1\r\nNOOP\r\n');
      expect(await closedWithin(client)).toBe(true);
      const replies = client.received.split('\r\n').filter((line) => line !== '').slice(1);
      expect(replies).toEqual(['+OK alice, send PASS', expect.stringMatching(/^\+OK alice's maildrop has 4 messages/), '+OK message 1 deleted', '+OK']);
      await l.idle();
      expect(aliceFiles(l)).toHaveLength(4);
      expect(existsSync(join(l.data.mailRoot, 'alice', LOCK_FILE))).toBe(false);
    });
  }

  it('STLS then half-close: the server gives up the upgrade and closes', async () => {
    const l = await lab();
    const client = await connect(l.pop3Port);
    client.socket.end('STLS\r\n');
    expect(await closedWithin(client)).toBe(true);
    expect(client.received).toMatch(/\r\n\+OK Begin TLS negotiation\r\n$/);
    await l.idle();
  });

  it('STLS followed by pipelined plaintext: the plaintext command is discarded, not answered inside TLS', async () => {
    const l = await lab();
    const client = await connect(l.pop3Port);
    const greeting = client.received;
    client.send('STLS\r\nCAPA\r\n');
    await client.waitFor('+OK Begin TLS negotiation\r\n');
    const secure = tlsConnect({ socket: client.socket, rejectUnauthorized: false });
    tlsSockets.push(secure);
    let received = '';
    const listed = new Promise<void>((resolve) =>
      secure.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (/\r\n\.\r\n/.test(received)) resolve();
      }),
    );
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    secure.write('CAPA\r\n');
    await listed;
    // Nothing answered the CAPA in plaintext.
    expect(client.received).toBe(`${greeting}+OK Begin TLS negotiation\r\n`);
    // Inside TLS, our CAPA's list is the first and only reply: an answer to the injected CAPA would have come before it.
    expect(received).toMatch(/^\+OK Capability list follows\r\n/);
    expect(received).toMatch(/\r\nUSER\r\n/);
    expect(received).not.toMatch(/\r\nSTLS\r\n/);
    expect(received.match(/\+OK Capability/g)).toHaveLength(1);
  });
});

describe('line limits and bad bytes', () => {
  it('a SASL response sent in the same packet as its AUTH gets the SASL limit, not the 255-octet command limit', async () => {
    const l = await lab();
    const client = await connect(l.pop3Port);
    // 400 octets of base64: over the command limit, well under the SASL one. The password is wrong on purpose.
    const response = Buffer.from(`\0alice\0${'x'.repeat(290)}`).toString('base64');
    expect(response.length).toBeGreaterThan(255);
    client.send(`AUTH PLAIN\r\n${response}\r\n`);
    await client.waitFor(/\r\n-ERR /);
    expect(client.received).toMatch(/\r\n\+ \r\n-ERR \[AUTH\] authentication failed\r\n$/);
    expect(client.received).not.toMatch(/longer than/);
  });

  it('a 300-octet command line gets -ERR naming the 255-octet limit; the session goes on', async () => {
    const l = await lab();
    const client = await connect(l.pop3Port);
    const reply = await command(client, `USER ${'a'.repeat(294)}`);
    expect(reply).toMatch(/^-ERR .*255/);
    expect(await command(client, 'CAPA', MULTI)).toMatch(/^\+OK Capability list follows/);
  });

  it('the limit is exactly 255 octets including CRLF', async () => {
    const l = await lab();
    const client = await connect(l.pop3Port);
    const at = `USER ${'a'.repeat(255 - 2 - 5)}`;
    expect(at.length + 2).toBe(255);
    expect(await command(client, at)).toMatch(/^\+OK a+, send PASS\r\n$/);
    expect(await command(client, `${at}a`)).toMatch(/^-ERR .*255/);
  });

  it('1 MB without a newline: one -ERR (line too long), the bytes are consumed, and the session goes on', async () => {
    const l = await lab();
    const client = await connect(l.pop3Port);
    const start = client.received.length;
    const megabyte = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < 8; i++) {
      // 8 MB is more than the socket buffers hold: the writes complete only if the server keeps reading.
      await new Promise<void>((resolve, reject) => client.socket.write(megabyte, (error) => (error ? reject(error) : resolve())));
    }
    await client.waitFor(/line too long/);
    expect(await command(client, '\r\nCAPA', MULTI)).toMatch(/^\+OK Capability list follows/);
    const after = client.received.slice(start);
    expect(after.match(/^-ERR/gm)).toHaveLength(1);
    expect(after).toMatch(/^-ERR command line too long: the limit is 255 octets/);
  });

  it('enough over-long lines end the session like any other bad command', async () => {
    const l = await lab({ maxBadCommands: 3 });
    const client = await connect(l.pop3Port);
    const megabyte = Buffer.alloc(1024 * 1024, 'y');
    for (let i = 0; i < 3; i++) client.send(Buffer.concat([megabyte, Buffer.from('\r\n')]));
    await client.closed;
    const replies = client.received.split('\r\n').filter((line) => line !== '').slice(1);
    expect(replies).toHaveLength(3);
    expect(replies.slice(0, 2).every((reply) => /^-ERR command line too long/.test(reply))).toBe(true);
    expect(replies[2]).toMatch(/^-ERR too many bad commands/);
  });

  it('a NUL byte or an 8-bit byte in a command gets -ERR, and the session continues', async () => {
    const l = await lab();
    const client = await connect(l.pop3Port);
    expect(await command(client, Buffer.from('CAPA\0\r\n', 'latin1'))).toMatch(/^-ERR NUL byte at position 5/);
    expect(await command(client, Buffer.from('USER al\xefce\r\n', 'latin1'))).toMatch(/^-ERR 8-bit byte 0xef at position 8/);
    expect(await command(client, 'CAPA', MULTI)).toMatch(/^\+OK Capability list follows/);
    expect(await login(client)).toMatch(/^\+OK alice's maildrop has 4 messages/);
    expect(await command(client, Buffer.from('RETR 1\0\r\n', 'latin1'))).toMatch(/^-ERR NUL byte/);
    expect(await command(client, 'STAT')).toMatch(/^\+OK 4 /);
  });

  it('an unknown command gets -ERR naming it and the state', async () => {
    const l = await lab();
    const client = await connect(l.pop3Port);
    expect(await command(client, 'FROB 1')).toBe('-ERR unknown command "FROB" in AUTHORIZATION state\r\n');
    await login(client);
    expect(await command(client, 'frob')).toBe('-ERR unknown command "frob" in TRANSACTION state\r\n');
    expect(await command(client, 'NOOP')).toBe('+OK\r\n');
  });
});

describe('the server ends sessions', () => {
  it('too many bad commands: the connection is closed by the server', async () => {
    const l = await lab({ maxBadCommands: 3 });
    const client = await connect(l.pop3Port);
    expect(await command(client, 'FOO')).toMatch(/^-ERR unknown command "FOO"/);
    expect(await command(client, 'BAR')).toMatch(/^-ERR unknown command "BAR"/);
    expect(await command(client, 'BAZ')).toMatch(/^-ERR too many bad commands \(3\)/);
    expect(await closedWithin(client)).toBe(true);
  });

  it('too many bad commands in TRANSACTION: closed without UPDATE, so a pending DELE is not applied', async () => {
    const l = await lab({ maxBadCommands: 2 });
    const client = await connect(l.pop3Port);
    await login(client);
    expect(await command(client, 'DELE 1')).toMatch(/^\+OK/);
    expect(await command(client, 'FROB')).toMatch(/^-ERR unknown command "FROB" in TRANSACTION state/);
    expect(await command(client, 'XYZZY')).toMatch(/^-ERR too many bad commands/);
    expect(await closedWithin(client)).toBe(true);
    await l.idle();
    expect(aliceFiles(l)).toHaveLength(4);
    const again = await connect(l.pop3Port);
    expect(await login(again)).toMatch(/maildrop has 4 messages/);
  });

  it('idle timeout before login: the server says so and closes', async () => {
    const l = await lab({ idleTimeoutMs: 300 });
    const client = await connect(l.pop3Port);
    expect(await closedWithin(client)).toBe(true);
    expect(client.received).toMatch(/\r\n-ERR idle for too long, closing connection\r\n$/);
  });

  it('the idle timer counts from the last command: a client that keeps talking stays, then is closed once silent', async () => {
    // The limit is scaled (MAILLAB_TEST_TIME_FACTOR) so a busy machine's stalls never make a 250 ms gap look like 600.
    const limit = scaled(600);
    const l = await lab({ idleTimeoutMs: limit });
    const client = await connect(l.pop3Port);
    client.send('USER alice\r\nPASS wonderland\r\n');
    await client.waitFor(/maildrop has/);
    // Five NOOPs limit/2.4 apart: twice the idle limit in all, never the limit without a word.
    const replies = () => client.received.split('\r\n+OK').length;
    for (let i = 0; i < 5; i++) {
      await quietFor(limit / 2.4);
      const before = replies();
      client.send('NOOP\r\n');
      await client.until(() => replies() > before, 'the reply to NOOP');
    }
    expect(client.received).not.toMatch(/idle for too long/);
    expect(await closedWithin(client)).toBe(true);
    expect(client.received).toMatch(/-ERR idle for too long, closing connection\r\n$/);
  });

  it('idle timeout with a DELE pending: closed, and nothing was deleted', async () => {
    const l = await lab({ idleTimeoutMs: 300 });
    const client = await connect(l.pop3Port);
    // One write, so the short idle timer cannot fire between the commands.
    client.send('USER alice\r\nPASS wonderland\r\nDELE 1\r\n');
    await client.waitFor('+OK message 1 deleted\r\n');
    expect(await closedWithin(client)).toBe(true);
    expect(client.received).toMatch(/\+OK message 1 deleted\r\n-ERR idle for too long, closing connection\r\n$/);
    await l.idle();
    expect(aliceFiles(l)).toHaveLength(4);
    const again = await connect(l.pop3Port);
    again.send('USER alice\r\nPASS wonderland\r\n');
    expect(await again.waitFor(/maildrop has 4 messages/)).toBeTruthy();
    expect(l.events.some((e) => e.event.kind === 'error' && e.event.code === 'IDLE_TIMEOUT')).toBe(true);
  });
});

describe('connection caps', () => {
  it('maxConnectionsPerAddress: the third simultaneous connection gets -ERR [SYS/TEMP] and is closed; a freed slot is reusable', async () => {
    const l = await lab({ maxConnectionsPerAddress: 2 });
    const one = await connect(l.pop3Port);
    const two = await connect(l.pop3Port);
    expect(one.received).toMatch(/^\+OK POP3 server ready/);
    expect(two.received).toMatch(/^\+OK POP3 server ready/);
    const three = await connect(l.pop3Port);
    expect(three.received).toMatch(/^-ERR \[SYS\/TEMP\] too many connections from \S+ \(limit 2\)/);
    expect(await closedWithin(three)).toBe(true);
    // The refused connection never took a slot, and the admitted ones still work.
    expect(await command(two, 'CAPA', MULTI)).toMatch(/^\+OK Capability/);

    await command(one, 'QUIT');
    await closedWithin(one);
    await until(() => l.open.size <= 1, 'the first session to end');
    const four = await connect(l.pop3Port);
    expect(four.received).toMatch(/^\+OK POP3 server ready/);
  });

  it('maxConnections is shared by both listeners: a third connection, on either port, is refused', async () => {
    const l = await lab({ maxConnections: 2, maxConnectionsPerAddress: 20 });
    const plain = await connect(l.pop3Port);
    const secure = await connect(l.pop3sPort, { tls: true });
    expect(plain.received).toMatch(/^\+OK POP3 server ready/);
    expect(secure.received).toMatch(/^\+OK POP3 server ready/);
    const refusedPlain = await connect(l.pop3Port);
    expect(refusedPlain.received).toMatch(/^-ERR \[SYS\/TEMP\] the server is at its limit of 2 connections/);
    expect(await closedWithin(refusedPlain)).toBe(true);
    const refusedSecure = await connect(l.pop3sPort, { tls: true });
    expect(refusedSecure.received).toMatch(/^-ERR \[SYS\/TEMP\] the server is at its limit of 2 connections/);
    expect(await closedWithin(refusedSecure)).toBe(true);
    expect(l.open.size).toBe(2);
  });
});
