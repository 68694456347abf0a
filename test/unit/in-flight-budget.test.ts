import { describe, expect, it } from 'vitest';
import { InFlightBudget } from '../../core/framing/in-flight-budget.js';
import { InputFramer } from '../../core/framing/input-framer.js';

const DATA = { kind: 'data', lineLimit: 1000, sizeLimit: 1_000_000 } as const;
const message = (octets: number) => Buffer.from(`${'x'.repeat(98)}\r\n`.repeat(Math.ceil(octets / 100)));

describe('the budget for message bytes in flight (issue 14 item 7)', () => {
  it('a message that would pass the budget shared by two sessions is dropped and reported over-budget', () => {
    const budget = new InFlightBudget(8192);
    const first = new InputFramer(budget);
    const second = new InputFramer(budget);
    first.push(message(3000));
    expect(first.next(DATA)).toBeUndefined(); // still arriving: it holds its share
    expect(budget.inFlight).toBeGreaterThanOrEqual(3000);
    second.push(Buffer.concat([message(6000), Buffer.from('.\r\n')]));
    const refused = second.next(DATA);
    expect(refused).toMatchObject({ kind: 'data', message: undefined, problems: ['over-budget'] });
    first.push(Buffer.from('.\r\n'));
    const kept = first.next(DATA);
    expect(kept).toMatchObject({ kind: 'data', problems: [] });
    expect(kept?.kind === 'data' && kept.message?.length).toBe(3000);
    // Held until the engine is done with it, then given back.
    expect(budget.inFlight).toBeGreaterThan(0);
    first.releaseHandedOut();
    second.releaseHandedOut();
    expect(budget.inFlight).toBe(0);
  });

  it('a framer dropped mid-message (session end) gives its share back', () => {
    const budget = new InFlightBudget(1 << 20);
    const framer = new InputFramer(budget);
    framer.push(message(10_000));
    framer.next(DATA);
    expect(budget.inFlight).toBeGreaterThan(0);
    framer.releaseAll();
    expect(budget.inFlight).toBe(0);
  });

  it('one buffer per message: held capacity is never more than twice the octets received (or the 4 KiB first step)', () => {
    const budget = new InFlightBudget(1 << 30);
    const framer = new InputFramer(budget);
    for (let i = 0; i < 500; i++) {
      framer.push(message(1000));
      framer.next(DATA);
      expect(budget.inFlight).toBeLessThanOrEqual(Math.max(2 * 1000 * (i + 1), 4096));
    }
  });
});
