import { describe, expect, it } from 'vitest';
import type { EventEnvelope, WireEvent } from '../../core/events.js';
import { Backlog } from '../../web/server/backlog.js';
import { RefusalLog } from '../../web/server/refusal-log.js';

let seq = 0;
const envelope = (event: WireEvent): EventEnvelope => ({ session: '1.1', seq: ++seq, at: 0, event });
const body = (size: number): WireEvent => ({ kind: 'body', from: 'server', lines: 1, octets: size, content: 'x'.repeat(size) });
const line = (text: string): WireEvent => ({ kind: 'line', from: 'server', text });

describe('Backlog: a tab resume backlog bounded in count and bytes', () => {
  it('empties the oldest bodies first, keeping every envelope and its seq, and counts the emptied ones', () => {
    seq = 0;
    const backlog = new Backlog({ count: 1000, bytes: 250_000 });
    for (let index = 0; index < 5; index++) {
      backlog.push(envelope(line(`+OK ${index}`)));
      backlog.push(envelope(body(100_000)));
    }
    expect(backlog.bytes).toBeLessThanOrEqual(250_000);
    const { envelopes, oldest, emptied } = backlog.since(0, seq + 1);
    expect(oldest).toBe(1);
    expect(envelopes.map((one) => one.seq)).toEqual(Array.from({ length: 10 }, (_, index) => index + 1));
    const contents = envelopes.filter((one) => one.event.kind === 'body').map((one) => (one.event as { content?: string }).content?.length);
    expect(contents).toEqual([undefined, undefined, undefined, 100_000, 100_000]);
    expect(emptied).toBe(3);
    // After the emptied ones, nothing to count.
    expect(backlog.since(7, seq + 1).emptied).toBe(0);
  });

  it('drops the oldest envelopes when no body is left to empty, or past the count', () => {
    seq = 0;
    const byBytes = new Backlog({ count: 1000, bytes: 2_000 });
    for (let index = 0; index < 100; index++) byBytes.push(envelope(line(`+OK ${'y'.repeat(50)}`)));
    const kept = byBytes.since(0, seq + 1);
    expect(byBytes.bytes).toBeLessThanOrEqual(2_000);
    expect(kept.envelopes.at(-1)!.seq).toBe(100);
    expect(kept.oldest).toBe(kept.envelopes[0]!.seq);
    expect(kept.oldest).toBeGreaterThan(1);
    const byCount = new Backlog({ count: 10, bytes: 1_000_000 });
    for (let index = 0; index < 5000; index++) byCount.push(envelope(line('+OK')));
    expect(byCount.since(0, seq + 1).envelopes.length).toBe(10);
    expect(byCount.since(0, seq + 1).oldest).toBe(seq - 9);
  });
});

describe('RefusalLog', () => {
  it('writes a few lines per address and kind per window, then reports how many it left out', () => {
    const lines: string[] = [];
    const now = { t: 0 };
    const log = new RefusalLog((text) => lines.push(text), () => now.t, 1000, 2);
    for (let index = 0; index < 10; index++) log.note('192.0.2.1', 'cap', 'full');
    log.note('192.0.2.1', 'hello', 'no hello');
    log.note('192.0.2.2', 'cap', 'full');
    expect(lines).toEqual(['refused a WebSocket from 192.0.2.1: full', 'refused a WebSocket from 192.0.2.1: full', 'refused a WebSocket from 192.0.2.1: no hello', 'refused a WebSocket from 192.0.2.2: full']);
    now.t = 1000;
    log.note('192.0.2.1', 'cap', 'full');
    expect(lines.at(-1)).toBe('refused a WebSocket from 192.0.2.1: full (and 8 more refusals of it not logged)');
  });
});
