/**
 * What one machine, or one tab, can make the bridge hold: WebSockets that
 * never say hello are capped per address and in all from the upgrade on, and
 * closed after the hello timeout (descriptors come back, the lab still
 * answers, the refusals are logged); a tab's resume backlog is bounded in
 * bytes (a resumed page is told which bodies lost their content), and its
 * waiting input is bounded (a flood is refused with BUSY).
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClassroom, type RunningClassroom } from '../../web/server/start-classroom.js';
import { TestBridgeClient } from '../helpers/bridge-client.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { scaled } from '../helpers/time.js';

let lab: TestLab;

beforeAll(async () => {
  lab = await startTestLab();
});

afterAll(async () => {
  await lab?.stop();
});

const openDescriptors = () => readdirSync('/proc/self/fd').length;

/** Waits until `check` holds, polling; fails with `what` after `ms`. */
async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + scaled(ms);
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A WebSocket from loopback address `from` that upgrades and then says nothing: resolves with what became of it. */
function silentSocket(port: number, from: string): Promise<{ upgraded: boolean; status?: number; socket?: WebSocket; closed?: Promise<number> }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { origin: `http://127.0.0.1:${port}`, localAddress: from });
    // Listened for from the start: on a loaded machine the hello timeout may close a socket before the test looks.
    const closed = new Promise<number>((resolveClose) => socket.once('close', (code) => resolveClose(code)));
    socket.on('error', () => undefined);
    socket.once('open', () => resolve({ upgraded: true, socket, closed }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ upgraded: false, status: response.statusCode ?? 0 });
      response.resume();
      socket.terminate();
    });
  });
}

describe('WebSockets that never say hello', () => {
  it('are capped per address and in all from the upgrade, closed after the hello timeout, and logged; descriptors come back and the classroom still answers', async () => {
    const log: string[] = [];
    const classroom = await startClassroom({
      host: '127.0.0.1',
      port: 0,
      listeners: lab.listeners,
      allowRemote: [],
      webNames: [],
      logins: [],
      limits: { sessionsPerAddress: 10, socketsPerAddress: 15, maxSessions: 40, maxSockets: 90, helloTimeoutMs: 5000 },
      warn: (text) => log.push(text),
    });
    const port = classroom.server.port;
    const base = openDescriptors();
    try {
      // 20 loopback addresses × 20 sockets: 400 in all, past both caps.
      const attempts: ReturnType<typeof silentSocket>[] = [];
      for (let host = 1; host <= 20; host++) for (let index = 0; index < 20; index++) attempts.push(silentSocket(port, `127.0.0.${host}`));
      const results = await Promise.all(attempts);
      const upgraded = results.filter((result) => result.upgraded);
      expect(upgraded.length).toBe(90);
      expect(results.filter((result) => !result.upgraded).every((result) => result.status === 503)).toBe(true);
      expect(classroom.server.sockets).toBe(90);
      // No address got past its own cap of 15.
      const perAddress = new Map<string, number>();
      for (const result of upgraded) {
        const from = (result.socket as unknown as { _socket: Socket })._socket.localAddress!;
        perAddress.set(from, (perAddress.get(from) ?? 0) + 1);
      }
      expect(Math.max(...perAddress.values())).toBeLessThanOrEqual(15);

      // Not one of them said hello: all are closed by the bridge, with the reason.
      expect(new Set(await Promise.all(upgraded.map((result) => result.closed!)))).toEqual(new Set([1008]));
      await until(() => classroom.server.sockets === 0, 'the bridge to count no socket');
      await until(() => openDescriptors() <= base + 5, `descriptors back near ${base} (now ${openDescriptors()})`);

      // Refusals and silent sockets are logged, a few lines per address and kind (5 each here), not one per socket (490 events).
      expect(log.some((line) => /^refused a WebSocket from 127\.0\.0\.\d+: the server is at its limit of 90 connections/.test(line) || /too many connections from 127\.0\.0\.\d+ \(limit 15\)/.test(line))).toBe(true);
      expect(log.some((line) => /^refused a WebSocket from 127\.0\.0\.\d+: no hello within 5000 ms; closed/.test(line))).toBe(true);
      expect(log.length).toBeLessThanOrEqual(20 * 2 * 5);

      // The classroom still answers: a page loads and a new tab reaches the lab.
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect([200, 404]).toContain(page.status);
      const tab = await TestBridgeClient.open(port);
      await tab.until(() => tab.lines().some((line) => line.startsWith('S: +OK')), 'the POP3 greeting');
      await tab.close();
    } finally {
      await classroom.server.close();
    }
  }, 60_000);
});

describe('what one tab can make the bridge hold', () => {
  let classroom: RunningClassroom;
  let silent: Server;
  let silentPort: number;
  const peers: Socket[] = [];

  beforeAll(async () => {
    // A POP3 server that greets and then never answers: whatever a tab sends it waits in the bridge.
    silent = createServer((socket) => {
      peers.push(socket);
      socket.on('error', () => undefined);
      socket.resume();
      socket.write('+OK silent server ready\r\n');
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    silentPort = (silent.address() as { port: number }).port;
    classroom = await startClassroom({
      host: '127.0.0.1',
      port: 0,
      listeners: lab.listeners,
      allowRemote: [`127.0.0.1:${silentPort}`],
      webNames: [],
      logins: [],
      limits: { backlogBytes: 3 * 1024 * 1024, inputQueueBytes: 256 * 1024, maxPayload: 64 * 1024 },
    });
  });

  afterAll(async () => {
    await classroom?.server.close();
    for (const socket of peers) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('keeps a bounded resume backlog while a 5 MB message is fetched again and again; a resumed page is told which bodies lost their content', async () => {
    const maildir = join(lab.dir, 'data', 'mail', 'alice');
    const big = `Subject: big\r\n\r\n${`${'x'.repeat(98)}\r\n`.repeat(50_000)}`;
    writeFileSync(join(maildir, 'new', '1700000000.big5mb.maillab'), big);
    const tab = await TestBridgeClient.open(classroom.server.port);
    const serverLines = () => tab.lines().filter((line) => line.startsWith('S: ')).length;
    await tab.until(() => serverLines() >= 1, 'the greeting');
    tab.send({ v: 1, t: 'input', lines: ['USER alice'] });
    tab.send({ v: 1, t: 'input', lines: ['PASS wonderland'] });
    tab.send({ v: 1, t: 'input', lines: ['LIST'] });
    const bodies = () => tab.envelopes.flatMap(({ event }) => (event.kind === 'body' ? [event] : []));
    await tab.until(() => bodies().length >= 1, 'the LIST body');
    // The scan listing line of the biggest message (RFC 1939 §5): "n size".
    const listing = bodies()[0]!.content!.split('\r\n').map((line) => line.split(' ').map(Number));
    const [number] = listing.reduce((best, entry) => ((entry[1] ?? 0) > (best[1] ?? 0) ? entry : best));
    expect(listing.some((entry) => (entry[1] ?? 0) >= big.length)).toBe(true);

    const fetches = 12;
    for (let index = 0; index < fetches; index++) tab.send({ v: 1, t: 'input', lines: [`RETR ${number}`] });
    const retrieved = () => bodies().filter((body) => body.lines >= 50_000);
    await tab.until(() => retrieved().length === fetches, `${fetches} bodies`, 60_000);
    // The page got every body live (up to what the core keeps of one, 1 MiB)…
    expect(retrieved().every((body) => (body.content?.length ?? 0) >= 1024 * 1024 - 200)).toBe(true);
    // …but the bridge keeps about 3 MiB of them for resuming, not 12 MiB.
    expect(classroom.server.held().backlogBytes).toBeLessThanOrEqual(3 * 1024 * 1024);

    // A page that resumes from the start gets every event, gapless; the oldest bodies as summaries, and told so.
    const again = await TestBridgeClient.open(classroom.server.port, { session: tab.welcome!.session, after: 0 });
    await again.until(() => again.envelopes.length >= tab.envelopes.length, 'the resumed backlog');
    expect(again.welcome?.resumed).toBe(true);
    expect(again.welcome?.oldest).toBe(1);
    expect(again.envelopes.map((envelope) => envelope.seq)).toEqual(tab.envelopes.map((envelope) => envelope.seq));
    const resumedBodies = again.envelopes.flatMap(({ event }) => (event.kind === 'body' && event.lines >= 50_000 ? [event] : []));
    expect(resumedBodies.filter((body) => body.content === undefined).length).toBeGreaterThanOrEqual(fetches - 3);
    // Every body that came live with content and comes back without it is counted in the welcome.
    const live = tab.envelopes.filter(({ event }) => event.kind === 'body' && event.content !== undefined).map((envelope) => envelope.seq);
    const emptied = again.envelopes.filter(({ seq, event }) => live.includes(seq) && event.kind === 'body' && event.content === undefined);
    expect(again.welcome?.emptied).toBe(emptied.length);
    expect(resumedBodies.at(-1)!.content).toBeDefined();
    expect(resumedBodies.every((body) => body.octets === resumedBodies[0]!.octets)).toBe(true);
    again.send({ v: 1, t: 'bye' });
    await Promise.all([tab.close(), again.close()]);
  }, 90_000);

  it('bounds the input waiting in one tab: a flood is refused with BUSY, and what waits stays under the bound', async () => {
    const tab = await TestBridgeClient.open(classroom.server.port);
    await tab.until(() => tab.welcome !== undefined, 'welcome');
    tab.send({ v: 1, t: 'open', target: { kind: 'remote', url: `pop3://127.0.0.1:${silentPort}` } });
    await tab.until(() => tab.lines().includes('S: +OK silent server ready'), 'the silent server greeting');
    // 200 messages of 500 lines, about 24 KB each: 4.7 MB in all, against a bound of 256 KiB.
    const batch = Array.from({ length: 500 }, (_, index) => `NOOP ${String(index).padStart(40, '0')}`);
    for (let index = 0; index < 200; index++) tab.send({ v: 1, t: 'input', lines: batch });
    const busy = () => tab.refusals().filter((refusal) => refusal.code === 'BUSY').length;
    await tab.until(() => busy() >= 150, 'BUSY refusals', 30_000);
    const held = classroom.server.held();
    const oneMessage = batch.reduce((sum, line) => sum + line.length + 2, 0) + 256;
    expect(held.queuedPeak).toBeLessThanOrEqual(256 * 1024 + oneMessage);
    expect(held.queuedBytes).toBeLessThanOrEqual(256 * 1024 + oneMessage);
    expect(tab.refusals().find((refusal) => refusal.code === 'BUSY')?.message).toMatch(/too much is waiting/);
    tab.send({ v: 1, t: 'bye' });
    await tab.close();
  }, 60_000);
});
