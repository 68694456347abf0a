/**
 * Two learners behind one bridge, in front of a real lab with a login
 * penalty: every tab reaches the lab from loopback, but the lab keys the
 * penalty by each learner's browser address (the bridge registers its sockets
 * with it), so one learner's wrong password does not delay another's login.
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
  // A penalty far longer than any wait below: an answer that owes it never comes within the test.
  lab = await startTestLab({ ownConnections, authPenaltyDelay: (failures) => (failures > 0 ? 120_000 : 0), onAuthLog: (text) => authLog.push(text) });
  classroom = await startClassroom({ host: '127.0.0.1', port: 0, listeners: lab.listeners, allowRemote: [], webNames: [], logins: [], ownConnections });
});

afterAll(async () => {
  await classroom?.server.close();
  await lab?.stop();
});

const serverLines = (client: TestBridgeClient) => client.lines().filter((line) => line.startsWith('S: '));

async function login(client: TestBridgeClient, user: string, password: string): Promise<string> {
  await client.until(() => client.status?.state === 'AUTHORIZATION', 'the greeting');
  const before = serverLines(client).length;
  client.send({ v: 1, t: 'input', lines: [`USER ${user}`] });
  client.send({ v: 1, t: 'input', lines: [`PASS ${password}`] });
  await client.until(() => serverLines(client).length >= before + 2, `the answer to PASS for ${user}`);
  return serverLines(client)[before + 1]!;
}

describe('two learners behind one bridge', () => {
  it("one learner's wrong password does not delay another's login; the lab logs the learner's address", async () => {
    const first = await TestBridgeClient.open(classroom.server.port, { from: '127.0.0.2' });
    const second = await TestBridgeClient.open(classroom.server.port, { from: '127.0.0.3' });
    try {
      expect(await login(first, 'alice', 'not-her-password')).toMatch(/^S: -ERR/);
      // The second learner's right password is answered at once (the penalty of two minutes would show as a timeout here).
      expect(await login(second, 'bob', 'builder')).toMatch(/^S: \+OK/);
      // The lab remembers a failure from the first learner's machine, not from the bridge's loopback address.
      expect(authLog.some((line) => line.startsWith('failed login on pop3 from 127.0.0.2 for user "alice"'))).toBe(true);
    } finally {
      for (const client of [first, second]) client.send({ v: 1, t: 'bye' });
      await Promise.all([first.close(), second.close()]);
    }
  }, 30_000);
});
