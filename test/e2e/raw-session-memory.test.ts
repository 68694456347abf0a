/**
 * The classroom's remote sessions keep no transcript of their own (issue 19,
 * item 3): every body line of every RETR stayed in RawSession.transcript and
 * every body event in RawSession.events for as long as a tab lived. `connect`
 * keeps them for /save; the classroom (keepTranscript: false) does not.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawSession } from '../../core/net/raw-session.js';
import { parseServerUrl } from '../../core/net/server-url.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';

let lab: TestLab;

beforeAll(async () => {
  lab = await startTestLab();
  writeFileSync(join(lab.dir, 'data', 'mail', 'bob', 'new', '1700000000.big.maillab'), `Subject: big\r\n\r\n${`${'x'.repeat(98)}\r\n`.repeat(20_000)}`);
});

afterAll(async () => {
  await lab?.stop();
});

async function fetchTwice(keepTranscript: boolean): Promise<RawSession> {
  const parsed = parseServerUrl(`pop3://127.0.0.1:${lab.pop3Port}`);
  if (!parsed.ok) throw new Error(parsed.reason);
  const bodies: number[] = [];
  const session = new RawSession({
    endpoint: { ...parsed.endpoint, insecure: true },
    replyTimeoutMs: 10_000,
    keepTranscript,
    onEvent: (event) => event.kind === 'body' && bodies.push(event.lines),
    onNotice: () => undefined,
  });
  await session.open();
  for (const line of ['USER bob', 'PASS builder', 'RETR 1', 'RETR 1']) {
    await session.submitBatch([line]);
    await session.settled();
  }
  expect(bodies.filter((lines) => lines >= 20_000).length).toBe(2);
  await session.close();
  return session;
}

describe('RawSession keepTranscript', () => {
  it('keeps every line and event by default (for /save), none when told not to', async () => {
    const kept = await fetchTwice(true);
    expect(kept.transcript.length).toBeGreaterThan(40_000);
    expect(kept.events.some((event) => event.kind === 'body')).toBe(true);
    const lean = await fetchTwice(false);
    expect(lean.transcript).toEqual([]);
    expect(lean.events).toEqual([]);
  });
});
