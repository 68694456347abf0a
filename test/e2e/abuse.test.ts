/**
 * The lab under abuse, over raw sockets (issue 14): clients that stop
 * reading, abandon STLS/STARTTLS, idle before login, trickle, guess
 * passwords across reconnects; the caps and the relay rules. Each test
 * reproduces a defect the review found, with timers shortened so the whole
 * file runs in a few seconds.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../core/lab/lab-server.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { rawConnect, type RawClient } from '../helpers/raw-client.js';
import { quietFor, scaled, within } from '../helpers/time.js';

interface Lab extends TestLab {
  open: Set<number>;
  logs: string[];
  /** Resolves once no connection is open (re-checked as each one closes), or rejects after `ms`, scaled by MAILLAB_TEST_TIME_FACTOR. */
  drained(ms?: number): Promise<void>;
}

let labs: TestLab[] = [];
let sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets = [];
  await Promise.all(labs.map((lab) => lab.stop()));
  labs = [];
});

async function lab(overrides: Partial<LabConfig> = {}): Promise<Lab> {
  const open = new Set<number>();
  const logs: string[] = [];
  const waiters = new Set<() => void>();
  const started = await startTestLab({
    onAuthLog: (line) => logs.push(line),
    ...overrides,
    onConnection: (listener, connection, _remote, isOpen) => {
      const key = `${listener}#${connection}`;
      if (isOpen) open.add(connection);
      else open.delete(connection);
      void key;
      for (const wake of [...waiters]) wake();
    },
  });
  labs.push(started);
  return Object.assign(started, {
    open,
    logs,
    drained(ms = 5000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (open.size > 0) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${open.size} connection(s) still open after ${scaled(ms)} ms`));
        }, scaled(ms));
        waiters.add(check);
        check();
      });
    },
  });
}


async function client(port: number, options: { tls?: boolean } = {}): Promise<RawClient> {
  const connected = await rawConnect(port, options);
  sockets.push(connected.socket);
  return connected;
}

/** Resolves true when the server closed the socket within `ms` (scaled by MAILLAB_TEST_TIME_FACTOR: a bound on a close that must come). */
function closedWithin(c: RawClient, ms = 5000): Promise<boolean> {
  return within(c.closed, ms);
}

/** Resolves true when the socket is still open after `ms` (not scaled: a busy machine only makes this weaker). */
async function openAfter(c: RawClient, ms: number): Promise<boolean> {
  await quietFor(ms);
  return !c.isClosed;
}

function aliceMaildir(l: TestLab): string {
  return join(l.dir, 'data', 'mail', 'alice');
}

function aliceCount(l: TestLab): number {
  const root = aliceMaildir(l);
  return readdirSync(join(root, 'new')).length + readdirSync(join(root, 'cur')).length;
}

describe('a client that stops reading (zero window)', () => {
  it('POP3: pipelined RETRs of a big message, never read: the idle timer still ends the session, without UPDATE, and the lock is released', async () => {
    const l = await lab({ idleTimeoutMs: 600 });
    writeFileSync(join(aliceMaildir(l), 'new', '1700000000.big.maillab'), `Subject: big\r\n\r\n${'x'.repeat(76).concat('\r\n').repeat(40_000)}`);
    const before = aliceCount(l);
    const c = await client(l.pop3Port);
    c.send('USER alice\r\nPASS wonderland\r\nLIST\r\n');
    const listing = await c.waitFor(/\r\n\.\r\n/);
    const big = /^(\d+) (\d{7,})\r$/m.exec(listing)![1]!;
    const other = big === '1' ? '2' : '1';
    c.socket.pause();
    c.send(`DELE ${other}\r\n${`RETR ${big}\r\n`.repeat(20)}`);
    // 64 MB of replies owed to a reader that reads nothing: the session must end at the timeout anyway.
    // The client never leaves, so any close proves it; the bound only stops a server that never closes.
    await l.drained(20_000);
    expect(aliceCount(l)).toBe(before);
    const again = await client(l.pop3Port);
    again.send('USER alice\r\nPASS wonderland\r\n');
    await again.waitFor(/\+OK .*maildrop has \d+ messages/);
  });

  it('SMTP: pipelined EHLOs never read: ended at the timeout, not after the client leaves', async () => {
    const l = await lab({ smtpTimeoutMs: 600 });
    const c = await client(l.smtpPort);
    await c.waitFor(/^220 /);
    c.socket.pause();
    c.send('EHLO client.example\r\n'.repeat(30_000));
    // Answering EHLOs until the buffers are full takes the server a while on a busy machine; the client
    // never leaves, so any close proves the point, and the bound only stops a server that never closes.
    await l.drained(20_000);
  });
});

describe('abandoned STLS / STARTTLS', () => {
  for (const protocol of ['pop3', 'submission'] as const) {
    it(`${protocol}: the client asks for TLS and sends nothing: the socket is closed at the handshake timeout and its slot freed`, async () => {
      const l = await lab({ handshakeTimeoutMs: 300 });
      const c = await client(protocol === 'pop3' ? l.pop3Port : l.submissionPort);
      if (protocol === 'pop3') {
        c.send('STLS\r\n');
        await c.waitFor(/\+OK Begin TLS/i);
      } else {
        c.send('EHLO x\r\n');
        await c.waitFor(/250 /);
        c.send('STARTTLS\r\n');
        await c.waitFor(/220 /);
      }
      expect(await closedWithin(c, 3000)).toBe(true);
      await l.drained(1000);
    });
  }

  it('many abandoned STLS connections do not pile up: each is closed (no CLOSE-WAIT) and the caps count them until then', async () => {
    const l = await lab({ handshakeTimeoutMs: 300, maxConnectionsPerAddress: 5 });
    const clients = await Promise.all(Array.from({ length: 5 }, () => client(l.pop3Port)));
    for (const c of clients) {
      c.send('STLS\r\n');
      await c.waitFor(/\+OK/);
    }
    const refused = await client(l.pop3Port);
    await refused.waitFor(/-ERR \[SYS\/TEMP\] too many connections/);
    for (const c of clients) expect(await closedWithin(c, 3000)).toBe(true);
    await l.drained(1000);
    const fresh = await client(l.pop3Port);
    await fresh.waitFor(/^\+OK POP3 server ready/);
  });
});

describe('the pre-login timeout', () => {
  it('POP3: a silent unauthenticated client is closed at the pre-login timeout; a logged-in one keeps the autologout timer', async () => {
    // A second is room for a login (more on a machine that says it is slow), and still far below the autologout.
    const l = await lab({ preAuthTimeoutMs: scaled(1000), idleTimeoutMs: 60_000 });
    const idle = await client(l.pop3Port);
    const loggedIn = await client(l.pop3Port);
    loggedIn.send('USER bob\r\nPASS builder\r\n');
    await loggedIn.waitFor(/maildrop has/);
    expect(await closedWithin(idle, 4000)).toBe(true);
    expect(idle.received).toMatch(/-ERR idle for too long/);
    expect(await openAfter(loggedIn, 700)).toBe(true);
  });

  it('submission: unauthenticated sessions end at the pre-login timeout, authenticated ones do not', async () => {
    // The authenticated session must log in within the pre-login timeout: scaled, as a busy machine may take longer.
    const l = await lab({ preAuthTimeoutMs: scaled(300), smtpTimeoutMs: 60_000 });
    const idle = await client(l.submissionPort);
    await idle.waitFor(/^220 /);
    idle.send('EHLO x\r\n');
    await idle.waitFor(/250 /);
    const authed = await client(l.submissionPort);
    authed.send(`EHLO x\r\nAUTH PLAIN ${Buffer.from('\0bob\0builder').toString('base64')}\r\n`);
    await authed.waitFor(/235 /);
    expect(await closedWithin(idle, 2000)).toBe(true);
    expect(idle.received).toMatch(/421 4\.4\.2 .*timeout/);
    expect(await openAfter(authed, 700)).toBe(true);
  });

  it('SMTP (MTA port): before EHLO the pre-login timeout applies; a slow trickle that keeps sending is not cut', async () => {
    // The trickle's gaps must stay under the pre-login timeout: scaled, as a busy machine may stall longer.
    const l = await lab({ preAuthTimeoutMs: scaled(400), smtpTimeoutMs: 60_000 });
    const silent = await client(l.smtpPort);
    const trickle = await client(l.smtpPort);
    await trickle.waitFor(/^220 /);
    // One octet every 100 ms: each is activity, so the idle timer restarts; the EHLO completes.
    for (const char of 'EHLO slow.example\r\n') {
      trickle.send(char);
      await quietFor(40);
    }
    await trickle.waitFor(/250[- ]/);
    expect(await closedWithin(silent, 1500)).toBe(true);
    expect(await openAfter(trickle, 600)).toBe(true);
  });
});

/** A raw socket, for the tests that need one without the helper's reading. */
export function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
    sockets.push(socket);
  });
}

/** Sends `line` and resolves with the time until `reply` arrived. */
async function timed(c: RawClient, line: string, reply: RegExp): Promise<number> {
  const from = c.received.length;
  const started = Date.now();
  c.send(line);
  const anchored = new RegExp(reply.source);
  await c.until(() => anchored.test(c.received.slice(from)), `${reply} after ${line}`);
  return Date.now() - started;
}

describe('password guessing', () => {
  it('the failure penalty survives reconnects, and a right password is answered after the same delay as a wrong one', async () => {
    // The penalty's unit is scaled with the bounds below, so a slow machine's latency never passes for a penalty.
    const unit = scaled(200);
    const l = await lab({ authPenaltyDelay: (failures) => failures * unit });
    const guess = async (password: string) => {
      const c = await client(l.pop3Port);
      await c.waitFor(/^\+OK/);
      c.send('USER alice\r\n');
      await c.waitFor(/\+OK.*\r\n.*\+OK/s);
      const ms = await timed(c, `PASS ${password}\r\n`, /^[+-](OK|ERR)/);
      c.close();
      return ms;
    };
    // No penalty before the first failure: answered well before the one unit the next guess waits.
    expect(await guess('wrong1')).toBeLessThan(0.75 * unit);
    expect(await guess('wrong2')).toBeGreaterThanOrEqual(0.95 * unit);
    expect(await guess('wrong3')).toBeGreaterThanOrEqual(1.95 * unit);
    // The right one, from the same address: the same delay a failure would get now.
    expect(await guess('wonderland')).toBeGreaterThanOrEqual(2.95 * unit);
    expect(l.logs.filter((line) => /failed login on pop3 from \S+ for user "alice"/.test(line))).toHaveLength(3);
  });

  it('SMTP AUTH failures count toward the bad-command limit (421 and close), and each is logged without --verbose', async () => {
    const l = await lab({ maxBadCommands: 3 });
    const c = await client(l.submissionPort);
    await c.waitFor(/^220 /);
    const wrong = Buffer.from('\0alice\0nope').toString('base64');
    c.send(`EHLO x\r\n${`AUTH PLAIN ${wrong}\r\n`.repeat(3)}`);
    expect(await closedWithin(c, 3000)).toBe(true);
    expect(c.received.match(/^535 /gm)).toHaveLength(2);
    expect(c.received).toMatch(/421 4\.7\.0 .*Too many errors/);
    expect(l.logs.filter((line) => /failed login on smtp .* for user "alice"/.test(line))).toHaveLength(3);
  });
});

describe('relay and plaintext rules', () => {
  it('the MTA port is no open relay: mail for another domain is refused without AUTH', async () => {
    const l = await lab();
    const c = await client(l.smtpPort);
    await c.waitFor(/^220 /);
    c.send('EHLO x\r\nMAIL FROM:<a@elsewhere.example>\r\nRCPT TO:<victim@other.example>\r\nQUIT\r\n');
    await c.waitFor(/221 /);
    expect(c.received).toMatch(/\r\n5\d\d 5\.7\.\d .*\r\n221 /s);
  });
});

describe('message bytes in flight', () => {
  it('past the global budget a message is refused with 452 4.3.1 (retry later); the budget is given back afterwards', async () => {
    const l = await lab({ maxBytesInFlight: 80 * 1024 });
    const body = `Subject: t\r\n\r\n${`${'y'.repeat(78)}\r\n`.repeat(700)}`; // ~56 KB
    const start = async () => {
      const c = await client(l.smtpPort);
      await c.waitFor(/^220 /);
      c.send('EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bob@maillab.test>\r\nDATA\r\n');
      await c.waitFor(/354 /);
      return c;
    };
    const slow = await start();
    // The lab runs in this process: once the kernel has the bytes, the server reads them before it
    // accepts the next connection (one turn of the event loop), so they are in flight when it starts.
    await new Promise<void>((resolve) => slow.socket.write(body.slice(0, 40_000), () => resolve()));
    const second = await start();
    second.send(`${body}.\r\n`);
    await second.waitFor(/\r\n452 4\.3\.1 /);
    slow.send(`${body.slice(40_000)}.\r\n`);
    await slow.waitFor(/\r\n250 /);
    const third = await start();
    third.send(`${body}.\r\nQUIT\r\n`);
    await third.waitFor(/\r\n250 .*\r\n221 /s);
  });
});
