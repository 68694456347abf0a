/**
 * A class code (--class-code): a page that says hello without it, or with a
 * wrong one, is refused with CLASS_CODE and closed before the bridge opens
 * anything (no session, no lab connection); with it, the tab opens as usual.
 * And `serve` says so at start when the page is reachable from other machines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classCodeLine, startClassroom, type RunningClassroom } from '../../web/server/start-classroom.js';
import { TestBridgeClient } from '../helpers/bridge-client.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';

let lab: TestLab;
let classroom: RunningClassroom;
const log: string[] = [];

beforeAll(async () => {
  lab = await startTestLab();
  classroom = await startClassroom({ host: '127.0.0.1', port: 0, listeners: lab.listeners, allowRemote: [], webNames: [], logins: [], classCode: 'sesame-42', warn: (text) => log.push(text) });
});

afterAll(async () => {
  await classroom?.server.close();
  await lab?.stop();
});

const pop3Connections = () => lab.events.filter((entry) => entry.listener === 'pop3').length;

describe('--class-code', () => {
  it('opens nothing for a hello without the code or with a wrong one', async () => {
    const before = pop3Connections();
    for (const code of [undefined, 'sesame-41', 'SESAME-42', '']) {
      const tab = await TestBridgeClient.open(classroom.server.port, code === undefined ? {} : { code });
      await tab.until(() => tab.closed !== undefined, 'the close');
      expect(tab.refusals().map((refusal) => refusal.code)).toEqual(['CLASS_CODE']);
      expect(tab.refusals()[0]!.message).toBe(code === undefined ? 'this classroom asks for its class code' : 'that is not the class code');
      expect(tab.closed?.code).toBe(1008);
      expect(tab.welcome).toBeUndefined();
      expect(tab.envelopes).toEqual([]);
    }
    expect(classroom.server.sessions).toBe(0);
    expect(pop3Connections()).toBe(before);
    expect(log.filter((line) => line.endsWith('wrong class code')).length).toBe(3);
  });

  it('opens the tab for the right code', async () => {
    const tab = await TestBridgeClient.open(classroom.server.port, { code: 'sesame-42' });
    await tab.until(() => tab.lines().some((line) => line.startsWith('S: +OK')), 'the POP3 greeting');
    expect(tab.welcome?.resumed).toBe(false);
    tab.send({ v: 1, t: 'bye' });
    await tab.close();
  });

  it('is mentioned at start for a page reachable from other machines, never for loopback', () => {
    expect(classCodeLine('0.0.0.0', undefined)).toMatch(/no class code: the page is reachable from other machines \(--host 0\.0\.0\.0\) and opens for anyone; --class-code CODE/);
    expect(classCodeLine('192.168.1.20', 'sesame-42')).toMatch(/asks each learner for the class code/);
    expect(classCodeLine('127.0.0.1', undefined)).toBeUndefined();
    expect(classCodeLine('::1', undefined)).toBeUndefined();
  });
});
