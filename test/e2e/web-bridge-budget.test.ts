/**
 * The bridge's share of the lab: its tabs stay below the lab's global cap, so
 * an outside client and a new learner always find room however many tabs one
 * machine opens, and a tab whose page closed (a WebSocket close 1001 or 1000,
 * what a browser sends when a tab closes, even without the page's goodbye)
 * gives back its slot and its maildrop lock at once.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnConnections } from '../../core/net/own-connections.js';
import { bridgeBudget, startClassroom, type RunningClassroom } from '../../web/server/start-classroom.js';
import { TestBridgeClient } from '../helpers/bridge-client.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';

let lab: TestLab;
let classroom: RunningClassroom;
let port: number;

beforeAll(async () => {
  const ownConnections = new OwnConnections();
  lab = await startTestLab({ maxConnections: 20, maxConnectionsPerAddress: 20, ownConnections });
  classroom = await startClassroom({
    host: '127.0.0.1',
    port: 0,
    listeners: lab.listeners,
    allowRemote: [],
    webNames: [],
    logins: [],
    labMaxConnections: 20,
    limits: { sessionsPerAddress: 60, goodbyeGraceMs: 100 },
    ownConnections,
  });
  port = classroom.server.port;
});

afterAll(async () => {
  await classroom?.server.close();
  await lab?.stop();
});

const firstLine = (client: TestBridgeClient) => client.until(() => client.lines().length > 0 || client.closed !== undefined, 'the greeting or a refusal');

/** A plain TCP client of the lab, resolved with its first line. */
const outsideClient = (sockets: Socket[]) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(lab.pop3Port, '127.0.0.1');
    sockets.push(socket);
    socket.once('error', reject);
    socket.once('data', (chunk) => resolve(chunk.toString('latin1').trim()));
  });

describe("the bridge's share of the lab", () => {
  it('keeps its tabs below the lab cap: one machine cannot take the last places, a new learner and an outside client still get in', async () => {
    const budget = bridgeBudget(20);
    expect(budget).toBe(15);
    const tabs: TestBridgeClient[] = [];
    const sockets: Socket[] = [];
    try {
      // One machine opens 20 tabs, as many as the whole lab has places.
      for (let index = 0; index < 20; index++) {
        const tab = await TestBridgeClient.open(port);
        tabs.push(tab);
        await firstLine(tab);
      }
      const greeted = tabs.filter((tab) => tab.lines()[0]?.startsWith('S: +OK'));
      const refused = tabs.filter((tab) => tab.refusals().some((refusal) => refusal.code === 'TOO_MANY_SESSIONS'));
      // The last place of the budget is kept for a learner who has none yet.
      expect(greeted.length).toBe(budget - 1);
      expect(refused.length).toBe(20 - (budget - 1));
      expect(refused[0]!.refusals()[0]!.message).toMatch(/nearly full/);

      // A learner on another machine gets the kept place, and a session on the lab.
      const newcomer = await TestBridgeClient.open(port, { from: '127.0.0.2' });
      tabs.push(newcomer);
      await firstLine(newcomer);
      expect(newcomer.lines()[0]).toMatch(/^S: \+OK/);
      // The bridge is at its budget now; a third machine is told the classroom is full.
      const late = await TestBridgeClient.open(port, { from: '127.0.0.3' });
      tabs.push(late);
      await firstLine(late);
      expect(late.refusals().map((refusal) => refusal.message)).toEqual(['this classroom is full']);

      // Outside clients still find the lab's other places.
      const outside = [await outsideClient(sockets), await outsideClient(sockets)];
      expect(outside.every((line) => line.startsWith('+OK'))).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      for (const tab of tabs) tab.send({ v: 1, t: 'bye' });
      await Promise.all(tabs.map((tab) => tab.close()));
      await TestBridgeClient.prototype.until.call(tabs[0]!, () => classroom.server.sessions === 0, 'every tab ended');
    }
  }, 60_000);

  it('ends the session of a tab closed by the browser (close 1001, no goodbye message) at once: its place and maildrop lock come back', async () => {
    const login = async (client: TestBridgeClient) => {
      await client.until(() => client.status?.state === 'AUTHORIZATION', 'the greeting');
      client.send({ v: 1, t: 'input', lines: ['USER alice'] });
      client.send({ v: 1, t: 'input', lines: ['PASS wonderland'] });
      await client.until(() => client.lines().filter((line) => line.startsWith('S: ')).length >= 3, 'the answer to PASS');
    };
    const first = await TestBridgeClient.open(port);
    await login(first);
    expect(first.status?.state).toBe('TRANSACTION');
    const before = classroom.server.sessions;
    // What a browser sends when its tab closes (RFC 6455 §7.4.1: 1001, going away); the page's own goodbye never came.
    first.socket.close(1001);
    await first.until(() => first.closed !== undefined, 'the close');
    // Well inside the 60 s resume grace.
    await first.until(() => classroom.server.sessions === before - 1, 'the session to end', 5_000);
    const second = await TestBridgeClient.open(port);
    await login(second);
    expect(second.lines().filter((line) => line.startsWith('S: '))[2]).toMatch(/^S: \+OK/);
    second.socket.close(1000);
    await second.until(() => second.closed !== undefined, 'the close');
  }, 30_000);
});
