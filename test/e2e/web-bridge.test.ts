/**
 * The classroom bridge over real WebSocket connections, in front of a real lab
 * over TCP: who may connect (Origin, Host), what a page may make the server
 * open (the allowlist), how big a message may be, that tabs never see each
 * other's events, resuming after a reconnect, and that a page that stops
 * reading is dropped rather than buffered without end.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startClassroom, type RunningClassroom } from '../../web/server/start-classroom.js';
import { TestBridgeClient } from '../helpers/bridge-client.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { until } from '../helpers/time.js';

let lab: TestLab;
let classroom: RunningClassroom;
let port: number;
const log: string[] = [];

beforeAll(async () => {
  lab = await startTestLab({ maxConnectionsPerAddress: 100 });
  classroom = await startClassroom({
    host: '127.0.0.1',
    port: 0,
    listeners: lab.listeners,
    // "localhost" is another name for the lab's own POP3 listener: allowed only because it is listed.
    allowRemote: [`localhost:${lab.pop3Port}`],
    webNames: [],
    logins: [{ user: 'alice', password: 'wonderland' }],
    limits: { maxPayload: 4096, sessionsPerAddress: 12, sendBufferLimit: 64 * 1024 },
    log: (text) => log.push(text),
  });
  port = classroom.server.port;
});

afterAll(async () => {
  await classroom?.server.close();
  await lab?.stop();
});

const opened = async () => {
  const client = await TestBridgeClient.open(port);
  await client.until(() => client.lines().some((line) => line.startsWith('S: +OK')), 'the POP3 greeting');
  return client;
};

const refusedUpgrade = (headers: Record<string, string>) =>
  new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers });
    socket.once('open', () => reject(new Error('the upgrade was accepted')));
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => undefined);
  });

describe('the classroom bridge', () => {
  it('opens each tab ready: on the lab POP3 listener over TCP, greeting first, status AUTHORIZATION', async () => {
    const client = await opened();
    expect(client.welcome?.resumed).toBe(false);
    expect(client.welcome?.lab).toEqual(['pop3', 'smtp', 'submission']);
    expect(client.welcome?.lessons.length).toBeGreaterThan(5);
    await client.until(() => client.status?.state === 'AUTHORIZATION', 'status');
    expect(client.status).toMatchObject({ protocol: 'pop3', target: { kind: 'lab', server: 'pop3' }, closed: false });
    expect(client.envelopes.map((envelope) => envelope.seq)).toEqual(client.envelopes.map((_, index) => index + 1));
    // The lab saw a real TCP connection.
    expect(lab.events.some(({ listener, event }) => listener === 'pop3' && event.kind === 'line' && event.from === 'server')).toBe(true);
    await client.close();
  });

  it('serves the built page gzipped with its security headers, and nothing outside the page folder', async () => {
    const get = (path: string) =>
      new Promise<{ status: number; headers: Record<string, unknown> }>((resolve) =>
        request({ port, path, headers: { 'Accept-Encoding': 'gzip' } }, (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, headers: response.headers });
        }).end(),
      );
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(String(page.headers['content-security-policy'])).toContain("connect-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await get('/../../package.json')).status).toBe(404);
    expect((await get('/%2e%2e/%2e%2e/package.json')).status).toBe(404);
  });

  it('refuses a WebSocket from another origin, without an Origin, or under a host name not its own, with 403 before the upgrade', async () => {
    expect(await refusedUpgrade({ Origin: 'http://evil.test' })).toBe(403);
    expect(await refusedUpgrade({ Origin: `http://127.0.0.1:${port + 1}` })).toBe(403);
    expect(await refusedUpgrade({})).toBe(403);
    // DNS rebinding: a hostile name resolving to this machine sends its own Host and a matching Origin.
    expect(await refusedUpgrade({ Host: `rebound.evil.test:${port}`, Origin: `http://rebound.evil.test:${port}` })).toBe(403);
    const status = await new Promise<number>((resolve) => request({ port, path: '/', headers: { Host: `rebound.evil.test:${port}` } }, (response) => resolve(response.statusCode ?? 0)).end());
    expect(status).toBe(403);
    // localhost is a name of this server too.
    const client = await TestBridgeClient.open(port, { host: `localhost:${port}`, origin: `http://localhost:${port}` });
    await client.until(() => client.welcome !== undefined, 'welcome');
    await client.close();
    expect(log.filter((line) => line.startsWith('refused a WebSocket')).length).toBeGreaterThanOrEqual(4);
  });

  it('closes a connection whose message is over the payload cap (1009), and refuses malformed messages with a code', async () => {
    const client = await opened();
    client.send({ v: 1, t: 'bogus' });
    client.send({ v: 2, t: 'next' });
    client.send({ v: 1, t: 'input', lines: ['two\r\nlines'] });
    await client.until(() => client.refusals().length === 3, 'three refusals');
    expect(client.refusals().map((refusal) => refusal.code)).toEqual(['BAD_MESSAGE', 'BAD_VERSION', 'BAD_MESSAGE']);
    client.send({ v: 1, t: 'input', lines: ['NOOP ' + 'x'.repeat(5000)] });
    await client.until(() => client.closed !== undefined, 'close');
    expect(client.closed?.code).toBe(1009);
  });

  it('refuses a remote server that is not on the --allow-remote list, and opens one that is', async () => {
    const client = await opened();
    client.send({ v: 1, t: 'open', target: { kind: 'remote', url: 'smtp://192.0.2.1:25' } });
    client.send({ v: 1, t: 'meta', line: '/connect pop3://127.0.0.1:22' });
    await client.until(() => client.refusals().length === 2, 'two refusals');
    expect(client.refusals().map((refusal) => refusal.code)).toEqual(['REMOTE_NOT_ALLOWED', 'REMOTE_NOT_ALLOWED']);
    expect(client.refusals()[0]!.message).toContain('--allow-remote');
    // Still on the lab's POP3 listener, generation 1.
    expect(client.status?.generation).toBe(1);
    client.send({ v: 1, t: 'open', target: { kind: 'remote', url: `pop3://localhost:${lab.pop3Port}` } });
    await client.until(() => client.status?.generation === 2 && client.status.state === 'AUTHORIZATION', 'the allowed server');
    expect(client.status?.label).toBe(`pop3://localhost:${lab.pop3Port}`);
    await client.close();
  });

  it('keeps tabs apart: one never sees the events of another', async () => {
    const first = await opened();
    const second = await opened();
    expect(first.welcome?.session).not.toBe(second.welcome?.session);
    first.send({ v: 1, t: 'input', lines: ['USER alice'] });
    first.send({ v: 1, t: 'input', lines: ['PASS wonderland'] });
    first.send({ v: 1, t: 'input', lines: ['STAT'] });
    await first.until(() => first.status?.state === 'TRANSACTION' && first.lines().some((line) => /^S: \+OK \d+ \d+$/.test(line)), 'STAT reply');
    second.send({ v: 1, t: 'input', lines: ['CAPA'] });
    await second.until(() => second.envelopes.some(({ event }) => event.kind === 'body'), 'the CAPA list');
    expect(second.lines().some((line) => line.includes('alice'))).toBe(false);
    expect(first.lines().some((line) => line === 'C: CAPA')).toBe(false);
    const sources = (client: TestBridgeClient) => new Set(client.envelopes.map((envelope) => envelope.session));
    expect([...sources(first)].some((source) => sources(second).has(source))).toBe(false);
    // The password crossed as typed but is masked in every event.
    expect(first.lines()).toContain('C: PASS ********');
    first.send({ v: 1, t: 'input', lines: ['QUIT'] });
    await first.until(() => first.status?.closed === true, 'QUIT');
    await Promise.all([first.close(), second.close()]);
  });

  it('resumes after a reconnect from the last seq, without gaps or repeats; an unknown session starts afresh', async () => {
    const client = await opened();
    client.send({ v: 1, t: 'input', lines: ['CAPA'] });
    await client.until(() => client.envelopes.some(({ event }) => event.kind === 'body') && client.status?.state === 'AUTHORIZATION', 'the CAPA list');
    const token = client.welcome!.session;
    const seen = client.envelopes.length;
    const cut = client.envelopes[seen - 3]!.seq;
    client.socket.terminate();
    await client.until(() => client.closed !== undefined, 'drop');
    const again = await TestBridgeClient.open(port, { session: token, after: cut });
    await again.until(() => again.welcome !== undefined && again.status !== undefined, 'welcome and status');
    expect(again.welcome).toMatchObject({ resumed: true, session: token });
    const missed = client.envelopes.filter((envelope) => envelope.seq > cut);
    expect(again.envelopes.slice(0, missed.length)).toEqual(missed);
    again.send({ v: 1, t: 'input', lines: ['USER bob'] });
    await again.until(() => again.lines().includes('C: USER bob') && again.lines().some((line) => line.startsWith('S: +OK bob')), 'USER reply');
    const seqs = again.envelopes.map((envelope) => envelope.seq);
    expect(seqs).toEqual(seqs.map((_, index) => cut + 1 + index));
    await again.close();
    const stranger = await TestBridgeClient.open(port, { session: 'no-such-session-token', after: 40 });
    await stranger.until(() => stranger.welcome !== undefined, 'welcome');
    expect(stranger.welcome?.resumed).toBe(false);
    expect(stranger.welcome?.session).not.toBe('no-such-session-token');
    await stranger.close();
  });

  it('caps sessions per address', async () => {
    const before = classroom.server.sessions;
    const clients: TestBridgeClient[] = [];
    for (let index = before; index < 12; index++) clients.push(await TestBridgeClient.open(port));
    const extra = await TestBridgeClient.open(port);
    await extra.until(() => extra.closed !== undefined, 'refusal');
    expect(extra.refusals().map((refusal) => refusal.code)).toEqual(['TOO_MANY_SESSIONS']);
    expect(extra.closed?.code).toBe(1008);
    await Promise.all(clients.map((client) => client.close()));
  });
});

describe('the classroom bridge under pressure', () => {
  it('drops a page that stops reading once its send buffer passes the limit', async () => {
    const isolated = await startClassroom({
      host: '127.0.0.1',
      port: 0,
      listeners: [],
      allowRemote: [],
      webNames: [],
      logins: [],
      limits: { maxPayload: 64 * 1024, sendBufferLimit: 64 * 1024 },
      log: (text) => log.push(text),
    });
    try {
      const client = await TestBridgeClient.open(isolated.server.port);
      await client.until(() => client.status?.state === 'AUTHORIZATION', 'the sandbox (no lab listeners)');
      expect(client.status?.target).toEqual({ kind: 'sandbox', server: 'pop3' });
      client.send({ v: 1, t: 'input', lines: ['USER alice'] });
      client.send({ v: 1, t: 'input', lines: ['PASS wonderland'] });
      await client.until(() => client.status?.state === 'TRANSACTION', 'login');
      // Stop reading: the socket is paused, so the kernel buffers fill and then the server's.
      (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      // A thousand RETRs at a time until the bridge gives up on the page (its buffer is past the limit).
      const dropped = () => log.some((line) => line.startsWith('dropped a page'));
      const flood = () => {
        if (!dropped()) client.send({ v: 1, t: 'input', lines: Array.from({ length: 1000 }, () => 'RETR 1') });
        return dropped();
      };
      await until(flood, 'the bridge to drop the page', 10_000, { pollMs: 20 });
      expect(log.some((line) => line.startsWith('dropped a page that stopped reading'))).toBe(true);
      // The session itself stays, for the page to resume when it reads again.
      expect(isolated.server.sessions).toBe(1);
    } finally {
      await isolated.server.close();
    }
  });

  it('ends a tab that has been idle too long', async () => {
    const quick = await startClassroom({ host: '127.0.0.1', port: 0, listeners: [], allowRemote: [], webNames: [], logins: [], limits: { idleTimeoutMs: 300 } });
    try {
      const client = await TestBridgeClient.open(quick.server.port);
      await client.until(() => client.closed !== undefined, 'the idle close', 5000);
      expect(client.refusals().map((refusal) => refusal.code)).toContain('IDLE');
      expect(quick.server.sessions).toBe(0);
    } finally {
      await quick.server.close();
    }
  });
});
