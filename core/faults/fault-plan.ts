/**
 * A session's fault plan: the lab's fault rules (fault-rule.ts) with their use
 * counters. The engines ask it about every command they are about to handle;
 * it answers with the fault to apply, if any. Sans-I/O: the randomness behind
 * `probability` is injected, so a test can script it.
 *
 * A plan belongs to one session, because "after 2" counts that session's
 * commands; a lab makes a `fresh()` plan for every connection.
 */
import type { AnnotationEvent, Protocol } from '../events.js';
import type { FaultAction, FaultRule } from './fault-rule.js';

/** The fault to apply now, with the rule it came from (for the annotation). */
export type AppliedFault = FaultAction & { readonly rule: FaultRule };

/** Where `lab.fault.applied` annotations point: no RFC describes a fault the lab made up. */
export const FAULT_REFERENCE = 'maillab lab';

export class FaultPlan {
  private readonly seen: number[];

  /**
   * @param rules the rules, in the order they were given: the first that fires wins
   * @param random a number in [0, 1), as Math.random gives (the lab's adapter injects it)
   */
  constructor(
    readonly rules: readonly FaultRule[],
    private readonly random: () => number,
  ) {
    this.seen = rules.map(() => 0);
  }

  /** A plan for another session: the same rules and randomness, nothing counted yet. */
  fresh(): FaultPlan {
    return new FaultPlan(this.rules, this.random);
  }

  /**
   * Called for a command the engine is about to handle (known verb, valid state).
   * Every rule for this protocol and verb counts it; the first one past its
   * `after` count that wins its `probability` draw applies. The random source
   * is only consulted for a rule with a probability below 1 that could fire.
   */
  check(protocol: Protocol, verb: string, args = ''): AppliedFault | undefined {
    const command = verb.toUpperCase();
    let applied: AppliedFault | undefined;
    this.rules.forEach((rule, index) => {
      if (rule.command !== command || (rule.protocol !== undefined && rule.protocol !== protocol)) return;
      if (rule.matching !== undefined && !globMatches(rule.matching, args.trim())) return;
      const seen = ++this.seen[index]!;
      if (applied || seen <= rule.after) return;
      if (rule.probability < 1 && !(this.random() < rule.probability)) return;
      applied = { ...rule.action, rule };
    });
    return applied;
  }
}

/** The warning a learner sees when a fault was applied: the rule as written. */
export function faultAppliedEvent(rule: FaultRule): AnnotationEvent {
  return { kind: 'annotation', about: 'warning', key: 'lab.fault.applied', rfc: FAULT_REFERENCE, detail: rule.source };
}

/** `*@bank.example>*` against `FROM:<x@Bank.example> SIZE=10`: `*` is any text, the rest literal, letters in any case. */
export function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'is').test(text);
}
