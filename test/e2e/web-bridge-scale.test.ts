/**
 * The classroom bridge at class size, in front of a real lab over TCP: every
 * tab's lab session comes from loopback, so the lab must not count them
 * against its per-address cap (meant for outside clients) while still
 * counting them against its global cap; and a tab that says goodbye gives
 * back its POP3 session (and maildrop lock) at once, while one that merely
 * lost its connection keeps it for resuming.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnConnections } from '../../core/net/own-connections.js';
import { startClassroom, type RunningClassroom } from '../../web/server/start-classroom.js';
import { TestBridgeClient } from '../helpers/bridge-client.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { quietFor, scaled, until } from '../helpers/time.js';

let lab: TestLab;
let classroom: RunningClassroom;
let port: number;
/** The lab's connections open now (its sessions end when the socket closes, maildrop lock with them). */
const labOpen = new Set<string>();

beforeAll(async () => {
  const ownConnections = new OwnConnections();
  // The lab's own defaults for outside clients (20 per address), a global cap of 50.
  lab = await startTestLab({
    maxConnectionsPerAddress: 20,
    maxConnections: 50,
    ownConnections,
    onConnection: (listener, connection, _remote, open) => void (open ? labOpen.add(`${listener}#${connection}`) : labOpen.delete(`${listener}#${connection}`)),
  });
  classroom = await startClassroom({
    host: '127.0.0.1',
    port: 0,
    listeners: lab.listeners,
    allowRemote: [],
    webNames: [],
    logins: [{ user: 'alice', password: 'wonderland' }],
    limits: { sessionsPerAddress: 60, goodbyeGraceMs: 100 },
    ownConnections,
  });
  port = classroom.server.port;
});

afterAll(async () => {
  await classroom?.server.close();
  await lab?.stop();
});

const greeted = (client: TestBridgeClient) => client.until(() => client.lines().some((line) => line.startsWith('S: ')), 'the POP3 greeting');

/** A plain TCP client of the lab (an outside client, as far as the lab can tell), resolved with its first line. */
const rawClient = (sockets: Socket[]) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(lab.pop3Port, '127.0.0.1');
    sockets.push(socket);
    socket.once('error', reject);
    socket.once('data', (chunk) => resolve(chunk.toString('latin1').trim()));
  });

describe('the classroom at class size', () => {
  it('serves more than 20 tabs from one machine: the lab exempts the bridge from its per-address cap, not from its global cap', async () => {
    const tabs: TestBridgeClient[] = [];
    const sockets: Socket[] = [];
    try {
      for (let index = 0; index < 25; index++) tabs.push(await TestBridgeClient.open(port));
      await Promise.all(tabs.map(greeted));
      // 25 tabs, all on the lab's POP3 listener over loopback, all greeted with +OK.
      expect(tabs.map((tab) => tab.lines()[0]?.slice(0, 6))).toEqual(tabs.map(() => 'S: +OK'));

      // Outside clients from the same address still meet the per-address cap of 20.
      const outside: string[] = [];
      for (let index = 0; index < 21; index++) outside.push(await rawClient(sockets));
      expect(outside.slice(0, 20).every((line) => line.startsWith('+OK'))).toBe(true);
      expect(outside[20]).toMatch(/^-ERR \[SYS\/TEMP\] too many connections from 127\.0\.0\.1 \(limit 20\)/);

      // The global cap (50) counts the tabs: 25 + 20 open, so five more tabs fit and the sixth is refused by the lab.
      const more: TestBridgeClient[] = [];
      for (let index = 0; index < 6; index++) more.push(await TestBridgeClient.open(port));
      tabs.push(...more);
      await Promise.all(more.map(greeted));
      expect(more.slice(0, 5).every((tab) => tab.lines()[0]?.startsWith('S: +OK'))).toBe(true);
      expect(more[5]!.lines()[0]).toMatch(/^S: -ERR \[SYS\/TEMP\] the server is at its limit of 50 connections/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await Promise.all(tabs.map((tab) => tab.close()));
    }
  }, scaled(30_000));
});

describe('a tab that goes away', () => {
  const login = async (client: TestBridgeClient) => {
    await client.until(() => client.status?.state === 'AUTHORIZATION', 'the greeting');
    client.send({ v: 1, t: 'input', lines: ['USER alice'] });
    client.send({ v: 1, t: 'input', lines: ['PASS wonderland'] });
    // The greeting, the answer to USER, the answer to PASS.
    await client.until(() => client.lines().filter((line) => line.startsWith('S: ')).length >= 3, 'the answer to PASS');
  };
  const passReply = (client: TestBridgeClient) => client.lines().filter((line) => line.startsWith('S: '))[2];

  it('ends its lab session at once after a goodbye, so the same user logs in from another tab', async () => {
    // The tabs of the test before were closed without a goodbye: their sessions are kept for resuming.
    const kept = { tabs: classroom.server.sessions, lab: labOpen.size };
    const ended = () => classroom.server.sessions === kept.tabs && labOpen.size === kept.lab;
    const detail = () => `${classroom.server.sessions} tab session(s) (${kept.tabs} kept), ${labOpen.size} lab connection(s) (${kept.lab} kept)`;
    const first = await TestBridgeClient.open(port);
    await login(first);
    expect(first.status?.state).toBe('TRANSACTION');
    first.send({ v: 1, t: 'bye' });
    await first.close();
    // Well inside the 60 s resume grace, after the goodbye grace (100 ms here): the tab's session and its lab session end.
    await until(ended, 'the goodbye to end the session', 5000, { detail });
    const second = await TestBridgeClient.open(port);
    await login(second);
    expect(passReply(second)).toMatch(/^S: \+OK/);
    expect(second.status?.state).toBe('TRANSACTION');
    // The first tab's session is gone: resuming it starts afresh.
    const again = await TestBridgeClient.open(port, { session: first.welcome!.session, after: first.envelopes.length });
    await again.until(() => again.welcome !== undefined, 'welcome');
    expect(again.welcome?.resumed).toBe(false);
    for (const client of [second, again]) client.send({ v: 1, t: 'bye' });
    await Promise.all([second.close(), again.close()]);
    await until(ended, 'both goodbyes to end their sessions', 5000, { detail });
  });

  it('keeps the session of a page that only lost its connection, for it to resume', async () => {
    const kept = classroom.server.sessions;
    const first = await TestBridgeClient.open(port);
    await login(first);
    expect(first.status?.state).toBe('TRANSACTION');
    await first.close();
    // Longer than the goodbye grace (100 ms) passes: a tab that only lost its connection is kept all the same.
    await quietFor(400);
    expect(classroom.server.sessions).toBe(kept + 1);
    // Meanwhile the maildrop is still locked by the kept session.
    const other = await TestBridgeClient.open(port);
    await login(other);
    expect(passReply(other)).toMatch(/^S: -ERR \[IN-USE\]/);
    const resumed = await TestBridgeClient.open(port, { session: first.welcome!.session, after: first.envelopes.length });
    await resumed.until(() => resumed.status?.state === 'TRANSACTION', 'the resumed session');
    expect(resumed.welcome?.resumed).toBe(true);
    for (const client of [other, resumed]) client.send({ v: 1, t: 'bye' });
    await Promise.all([other.close(), resumed.close()]);
  });
});
