/**
 * Other routes to a lesson's result, for practice (./practice.ts): a login
 * by USER and PASS where the lesson uses APOP or AUTH, another SASL mechanism
 * (RFC 1939 §7, RFC 5034, RFC 4954), and detours that change nothing the
 * lesson needs, such as CAPA again after STLS, which RFC 2595 §4 asks of a
 * client. Pure functions over the exchange and the server's answer.
 */
import type { Protocol } from '../events.js';
import { splitCommand } from './equivalence.js';
import type { ServerInputKind } from './lab-connection.js';
import { MESSAGES } from './messages.js';
import { loginRoute, refuses, replyStatus, showStatus, type ExchangeOutcome } from './outcome.js';

/** A line that is not the lesson's step but stands: the start of another route, or a detour kept. */
export interface RouteStep {
  readonly kind: 'route' | 'detour';
  readonly note: string;
}

/** The learner's open exchange, as far as routes care. */
export interface RouteExchange {
  readonly lines: readonly string[];
  readonly input: ServerInputKind;
  readonly state: string;
}

/** Whether the learner's answered line starts another route to the step's result, or is a detour to keep; undefined: undo it. */
export function routeStep(protocol: Protocol, open: RouteExchange, lessonFirst: string, received: readonly string[], outcome: ExchangeOutcome): RouteStep | undefined {
  const status = replyStatus(protocol, received);
  if (!status || refuses(status) || outcome.closed || open.input !== 'command') return undefined;
  const typed = splitCommand(open.lines[0]!.trim());
  const wanted = splitCommand(lessonFirst);
  // Another mechanism's challenges, each answered in turn, until its final reply is judged.
  const continuation = status.code === '+' || status.code === '334';
  if (typed.verb === 'AUTH' && continuation && (wanted.verb === 'AUTH' || loginRoute(protocol, wanted.verb, 'AUTH'))) {
    return { kind: 'route', note: MESSAGES.routeSasl(describeRoute(open.lines[0]!), describeRoute(lessonFirst)) };
  }
  if (open.lines.length !== 1) return undefined;
  if (typed.verb === 'USER' && status.code === '+OK' && loginRoute(protocol, wanted.verb, 'USER')) return { kind: 'route', note: MESSAGES.routeLogin('USER', wanted.verb) };
  if (DETOURS[protocol].has(typed.verb) && typed.verb !== wanted.verb && outcome.state === open.state) {
    return { kind: 'detour', note: MESSAGES.detourKept(typed.verb, showStatus(status), wanted.verb) };
  }
  return undefined;
}

/** Queries that change nothing a lesson depends on: taking one is a detour the lab may keep. */
const DETOURS: Readonly<Record<'pop3' | 'smtp', ReadonlySet<string>>> = {
  pop3: new Set(['CAPA', 'NOOP', 'STAT', 'LIST', 'UIDL']),
  smtp: new Set(['NOOP', 'HELP']),
};

/** "APOP", "USER and PASS", "AUTH PLAIN": how a login line is named in a note. */
function describeRoute(line: string): string {
  const { verb, args } = splitCommand(line.trim());
  if (verb === 'AUTH') return `AUTH ${args.trim().split(/\s+/)[0]!.toUpperCase()}`;
  return verb === 'USER' ? 'USER and PASS' : verb;
}

/** The note for a step reached by another route than the lesson's, or undefined when the route was the lesson's. */
export function routeNote(typedFirst: string, lessonFirst: string, input: ServerInputKind): string | undefined {
  if (input !== 'command') return undefined;
  const typed = describeRoute(typedFirst);
  const wanted = describeRoute(lessonFirst);
  const isLogin = /^(AUTH|APOP|USER)/.test(wanted) || /^(AUTH|APOP|USER)/.test(typed);
  return isLogin && typed !== wanted ? MESSAGES.routeAccepted(typed, wanted) : undefined;
}

