/**
 * The queue runner's bookkeeping with a hand-driven clock and a scripted
 * delivery: what it writes to the entry's JSON after each attempt, that it
 * waits for the backoff, and when it bounces. The queue is a real folder.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueueRunner, type QueueClock } from '../../core/send/queue-runner.js';
import type { RecipientResult } from '../../core/send/smtp-dialogue.js';
import { MemoryStore } from '../../core/store/memory-store.js';
import { OutboundQueue, type QueuedEnvelope } from '../../core/store/outbound-queue.js';
import type { UserDirectory } from '../../core/store/user-directory.js';

/** A clock whose time moves only when the test says so; timers fire on `advance`. */
class ManualClock implements QueueClock {
  time = Date.parse('2025-07-01T12:00:00Z');
  private timers = new Map<number, { at: number; callback: () => void }>();
  private ids = 0;

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time on and fires the timers that came due. */
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at <= this.time) {
        this.timers.delete(id);
        timer.callback();
      }
    }
  }

  get pending(): number {
    return this.timers.size;
  }
}

const USERS: UserDirectory = {
  secretOf: async (user) => (user === 'alice' ? 'wonderland' : undefined),
  all: async () => new Map([['alice', 'wonderland']]),
};

type Outcome = 'ok' | 'later' | 'never';

function result(address: string, outcome: Outcome): RecipientResult {
  const host = 'mx.remote.test [127.0.0.2]:25';
  if (outcome === 'ok') return { address, ok: true, code: 250, enhanced: '2.0.0', text: 'queued', host, temporary: false, stage: 'message' };
  if (outcome === 'later') return { address, ok: false, code: 451, enhanced: '4.3.0', text: 'try again later', host, temporary: true, stage: 'rcpt' };
  return { address, ok: false, code: 550, enhanced: '5.1.1', text: 'no such user', host, temporary: false, stage: 'rcpt' };
}

let folder: string;
let queue: OutboundQueue;
let store: MemoryStore;
let clock: ManualClock;
let runner: QueueRunner | undefined;
let calls: { from: string; recipients: readonly string[] }[];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'maillab-queue-'));
  queue = new OutboundQueue(join(folder, 'queue'));
  store = new MemoryStore();
  clock = new ManualClock();
  calls = [];
});

afterEach(async () => {
  await runner?.stop();
  runner = undefined;
  rmSync(folder, { recursive: true, force: true });
});

/** A runner whose deliveries answer from `script[recipient]`, one outcome per attempt (the last repeats). */
function startRunner(script: Record<string, Outcome[]>, retryDelaysMs = [1000, 5000]): QueueRunner {
  const attempts = new Map<string, number>();
  runner = new QueueRunner({
    queue,
    store,
    users: USERS,
    localDomains: ['maillab.test'],
    hostname: 'maillab.test',
    retryDelaysMs,
    clock,
    deliver: async (from, recipients) => {
      calls.push({ from, recipients });
      return recipients.map((address) => {
        const n = attempts.get(address) ?? 0;
        attempts.set(address, n + 1);
        const outcomes = script[address] ?? ['ok'];
        return result(address, outcomes[Math.min(n, outcomes.length - 1)]!);
      });
    },
  });
  void runner.start();
  return runner;
}

async function enqueue(recipients: string[], from = 'alice@maillab.test'): Promise<QueuedEnvelope> {
  const envelope = { id: 'q1', from, recipients, queuedAt: new Date(clock.now()).toISOString(), attempts: 0 };
  await queue.enqueue(envelope, Buffer.from('From: alice@maillab.test\r\nSubject: test\r\nMessage-ID: <m1@maillab.test>\r\n\r\nbody\r\n'));
  return envelope;
}

function entryJson(): QueuedEnvelope | undefined {
  const names = readdirSync(join(folder, 'queue')).filter((name) => name.endsWith('.json'));
  return names.length === 0 ? undefined : (JSON.parse(readFileSync(join(folder, 'queue', names[0]!), 'utf8')) as QueuedEnvelope);
}

function queueFiles(): string[] {
  return readdirSync(join(folder, 'queue')).filter((name) => name !== 'tmp');
}

describe('QueueRunner', () => {
  it('delivers a due entry and removes it', async () => {
    await enqueue(['bob@remote.test']);
    await startRunner({}).wake();
    expect(calls).toEqual([{ from: 'alice@maillab.test', recipients: ['bob@remote.test'] }]);
    expect(queueFiles()).toEqual([]);
    expect(store.messages('alice')).toHaveLength(0);
  });

  it('persists a temporary failure: fewer recipients, attempts, nextAttemptAt and the last error', async () => {
    await enqueue(['bob@remote.test', 'busy@remote.test']);
    await startRunner({ 'busy@remote.test': ['later', 'ok'] }).wake();
    expect(entryJson()).toMatchObject({
      recipients: ['busy@remote.test'],
      attempts: 1,
      nextAttemptAt: new Date(clock.now() + 1000).toISOString(),
      lastErrors: { 'busy@remote.test': { code: 451, enhanced: '4.3.0', text: 'try again later', host: 'mx.remote.test [127.0.0.2]:25' } },
    });
  });

  it('waits for the backoff, then retries only the deferred recipients', async () => {
    await enqueue(['bob@remote.test', 'busy@remote.test']);
    const running = startRunner({ 'busy@remote.test': ['later', 'ok'] });
    await running.wake();
    await running.wake(); // woken early (an enqueue, say): not due yet
    expect(calls).toHaveLength(1);
    clock.advance(1000);
    await running.wake();
    expect(calls.map((call) => call.recipients)).toEqual([['bob@remote.test', 'busy@remote.test'], ['busy@remote.test']]);
    expect(queueFiles()).toEqual([]);
  });

  it('follows the schedule, then bounces into the local sender\'s Maildir and removes the entry', async () => {
    await enqueue(['busy@remote.test']);
    const running = startRunner({ 'busy@remote.test': ['later'] }, [1000, 5000]);
    await running.wake();
    expect(entryJson()).toMatchObject({ attempts: 1 });
    clock.advance(999);
    await running.wake();
    expect(calls).toHaveLength(1);
    clock.advance(1);
    await running.wake();
    expect(entryJson()).toMatchObject({ attempts: 2, nextAttemptAt: new Date(clock.now() + 5000).toISOString(), delayReported: true });
    // One delay report after the first temporary failure (RFC 3461 §4.1: the default is FAILURE,DELAY), not one per attempt.
    expect(store.messages('alice').map((message) => /^Subject: (.*)$/m.exec(message.bytes.toString('latin1'))?.[1])).toEqual(['Delivery Status Notification (Delay)']);
    expect(store.messages('alice')[0]!.bytes.toString('latin1')).toContain('Action: delayed\r\nStatus: 4.3.0');
    clock.advance(5000);
    await running.wake();
    expect(calls).toHaveLength(3);
    expect(queueFiles()).toEqual([]);
    const bounces = store.messages('alice').slice(1);
    expect(bounces).toHaveLength(1);
    const text = bounces[0]!.bytes.toString('latin1');
    expect(text).toMatch(/^Return-Path: <>\r\n/);
    expect(text).toContain('Final-Recipient: rfc822; busy@remote.test');
    expect(text).toContain('Status: 4.3.0');
    expect(text).toContain('after 3 attempts');
  });

  it('a 5xx bounces at once, while deferred recipients of the same message stay queued', async () => {
    await enqueue(['nobody@remote.test', 'busy@remote.test']);
    await startRunner({ 'nobody@remote.test': ['never'], 'busy@remote.test': ['later'] }).wake();
    // The bounce for nobody, and the delay report for busy.
    const texts = store.messages('alice').map((message) => message.bytes.toString('latin1'));
    expect(texts).toHaveLength(2);
    expect(texts.find((text) => text.includes('Action: failed'))).toContain('Final-Recipient: rfc822; nobody@remote.test\r\nAction: failed\r\nStatus: 5.1.1');
    expect(texts.find((text) => text.includes('Action: delayed'))).toContain('Final-Recipient: rfc822; busy@remote.test\r\nAction: delayed');
    expect(entryJson()).toMatchObject({ recipients: ['busy@remote.test'], attempts: 1 });
  });

  it('a bounce for a sender elsewhere is queued with the null sender; a bounce of a bounce is dropped', async () => {
    await enqueue(['nobody@remote.test'], 'someone@elsewhere.test');
    await startRunner({ 'nobody@remote.test': ['never'], 'someone@elsewhere.test': ['never'] }).wake();
    // The first run delivered the original (5xx → bounce queued) and then the bounce itself (5xx → dropped).
    expect(calls).toEqual([
      { from: 'someone@elsewhere.test', recipients: ['nobody@remote.test'] },
      { from: '', recipients: ['someone@elsewhere.test'] },
    ]);
    expect(queueFiles()).toEqual([]);
    expect(store.messages('alice')).toHaveLength(0);
  });

  it('stop() cuts a delivery in progress short through its abort signal', async () => {
    await enqueue(['slow@remote.test']);
    let seen: AbortSignal | undefined;
    runner = new QueueRunner({
      queue,
      store,
      users: USERS,
      localDomains: ['maillab.test'],
      hostname: 'maillab.test',
      retryDelaysMs: [1000],
      clock,
      deliver: (_from, recipients, _message, signal) => {
        seen = signal;
        return new Promise((resolve) => signal.addEventListener('abort', () => resolve(recipients.map((address) => ({ ...result(address, 'later'), code: 0, text: 'stopped' })))));
      },
    });
    const first = runner.start();
    while (!seen) await new Promise((resolve) => setImmediate(resolve));
    expect(seen.aborted).toBe(false);
    await runner.stop();
    await first;
    expect(seen.aborted).toBe(true);
    // The cut-short attempt counts: the entry waits for its retry, and nothing was bounced (a delay report only).
    expect(entryJson()).toMatchObject({ attempts: 1, recipients: ['slow@remote.test'] });
    expect(store.messages('alice').map((message) => message.bytes.toString('latin1')).filter((text) => text.includes('Action: failed'))).toHaveLength(0);
  });

  it('schedules its next run for the earliest due entry, and stops cleanly', async () => {
    await enqueue(['busy@remote.test']);
    const running = startRunner({ 'busy@remote.test': ['later', 'ok'] });
    await running.wake();
    expect(clock.pending).toBe(1);
    clock.advance(1000); // the timer fires and starts a run by itself
    await running.wake();
    expect(calls).toHaveLength(2);
    await running.stop();
    expect(clock.pending).toBe(0);
  });
});
