/**
 * Behind a reverse proxy every tab comes from the proxy's address: with
 * --trust-proxy the bridge takes the learner's address from X-Forwarded-For
 * (or Forwarded), but only on connections from that proxy. The address shows
 * in what the lab does with it: the per-address session cap and the login
 * penalty's log line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnConnections } from '../../core/net/own-connections.js';
import { startClassroom, type RunningClassroom } from '../../web/server/start-classroom.js';
import { TestBridgeClient } from '../helpers/bridge-client.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';

let lab: TestLab;
let classroom: RunningClassroom;
const authLog: string[] = [];

beforeAll(async () => {
  const ownConnections = new OwnConnections();
  lab = await startTestLab({ ownConnections, onAuthLog: (text) => authLog.push(text) });
  classroom = await startClassroom({
    host: '127.0.0.1',
    port: 0,
    listeners: lab.listeners,
    allowRemote: [],
    webNames: [],
    logins: [],
    ownConnections,
    trustProxy: ['127.0.0.1'],
    limits: { sessionsPerAddress: 2, goodbyeGraceMs: 50 },
  });
});

afterAll(async () => {
  await classroom?.server.close();
  await lab?.stop();
});

const opened = async (client: TestBridgeClient) => {
  await client.until(() => client.welcome !== undefined || client.closed !== undefined, 'welcome or refusal');
  return client.welcome !== undefined;
};

describe('--trust-proxy', () => {
  it("counts each learner behind the trusted proxy by the forwarded address, and believes the header from no one else", async () => {
    const clients: TestBridgeClient[] = [];
    const open = async (from: string, forwarded: string) => {
      const client = await TestBridgeClient.open(classroom.server.port, { from, headers: { 'X-Forwarded-For': forwarded } });
      clients.push(client);
      return opened(client);
    };
    try {
      // Through the proxy (127.0.0.1): three learners, two tabs each, all fit (the cap is 2 per address).
      const viaProxy = [];
      for (const learner of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) viaProxy.push(await open('127.0.0.1', learner), await open('127.0.0.1', learner));
      expect(viaProxy).toEqual([true, true, true, true, true, true]);
      expect(await open('127.0.0.1', '203.0.113.1')).toBe(false);
      // From a machine that is not the proxy, the header is not believed: its third tab is refused whatever it claims.
      expect([await open('127.0.0.2', '198.51.100.1'), await open('127.0.0.2', '198.51.100.2'), await open('127.0.0.2', '198.51.100.3')]).toEqual([true, true, false]);

      // Through the proxy, the page's origin is the proxy's (https, port 443): only the host name must be ours.
      const proxied = { host: 'localhost', origin: 'https://localhost', headers: { 'X-Forwarded-For': '203.0.113.4' } };
      const viaTls = await TestBridgeClient.open(classroom.server.port, { ...proxied, from: '127.0.0.1' });
      clients.push(viaTls);
      expect(await opened(viaTls)).toBe(true);
      await expect(TestBridgeClient.open(classroom.server.port, { ...proxied, from: '127.0.0.2' })).rejects.toThrow(/HTTP 403/);

      // The lab's login penalty sees the forwarded address too.
      const learner = clients[0]!;
      await learner.until(() => learner.status?.state === 'AUTHORIZATION', 'the greeting');
      learner.send({ v: 1, t: 'input', lines: ['USER alice'] });
      learner.send({ v: 1, t: 'input', lines: ['PASS wrong'] });
      await learner.until(() => learner.lines().filter((line) => line.startsWith('S: ')).length >= 3, 'the answer to PASS');
      expect(authLog.some((line) => line.startsWith('failed login on pop3 from 203.0.113.1 for user "alice"'))).toBe(true);
    } finally {
      for (const client of clients) if (client.welcome) client.send({ v: 1, t: 'bye' });
      await Promise.all(clients.map((client) => client.close()));
    }
  }, 30_000);
});
