/**
 * POP3 as data (RFC 1939 with RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH and
 * RFC 1460's historic LAST): states, transitions, commands. The engine's
 * handlers (core/pop3/commands) attach to these entries by name.
 */
import type { CommandSpec, ProtocolData, TransitionSpec } from './protocol-data.js';

export type Pop3State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE' | 'CLOSED';

export const POP3_STATES: readonly Pop3State[] = ['AUTHORIZATION', 'TRANSACTION', 'UPDATE', 'CLOSED'];

export type Pop3TransitionCause = 'authenticated' | 'quit-authorization' | 'quit-transaction' | 'update-done' | 'dropped' | 'too-many-errors' | 'timeout';

export const POP3_TRANSITIONS: Readonly<Record<Pop3TransitionCause, TransitionSpec<Pop3State>>> = {
  authenticated: { from: ['AUTHORIZATION'], to: 'TRANSACTION', rfc: 'RFC 1939 §4' },
  'quit-authorization': { from: ['AUTHORIZATION'], to: 'CLOSED', rfc: 'RFC 1939 §4' },
  'quit-transaction': { from: ['TRANSACTION'], to: 'UPDATE', rfc: 'RFC 1939 §6' },
  'update-done': { from: ['UPDATE'], to: 'CLOSED', rfc: 'RFC 1939 §6' },
  dropped: { from: '*', to: 'CLOSED', rfc: 'RFC 1939 §6' },
  'too-many-errors': { from: '*', to: 'CLOSED', rfc: 'RFC 1939 §3' },
  timeout: { from: '*', to: 'CLOSED', rfc: 'RFC 1939 §3' },
};

export type Pop3Verb = 'USER' | 'PASS' | 'APOP' | 'AUTH' | 'STLS' | 'CAPA' | 'QUIT' | 'STAT' | 'LIST' | 'RETR' | 'DELE' | 'NOOP' | 'RSET' | 'TOP' | 'UIDL' | 'LAST';

type Spec = CommandSpec<Pop3State, Pop3TransitionCause>;
const AUTHORIZATION: readonly Pop3State[] = ['AUTHORIZATION'];
const TRANSACTION: readonly Pop3State[] = ['TRANSACTION'];
const BOTH: readonly Pop3State[] = ['AUTHORIZATION', 'TRANSACTION'];

/** The POP3 commands, in the order RFC 1939 and its extensions present them. */
export const POP3_COMMAND_SPECS: Readonly<Record<Pop3Verb, Spec>> = {
  USER: { name: 'USER', states: AUTHORIZATION, syntax: 'USER name', rfc: 'RFC 1939 §7', multiLine: 'never', waitAfter: false, leadsTo: AUTHORIZATION },
  PASS: { name: 'PASS', states: AUTHORIZATION, syntax: 'PASS string', rfc: 'RFC 1939 §7', multiLine: 'never', waitAfter: false, leadsTo: TRANSACTION, onSuccess: ['authenticated'] },
  APOP: { name: 'APOP', states: AUTHORIZATION, syntax: 'APOP name digest', rfc: 'RFC 1939 §7', multiLine: 'never', waitAfter: false, leadsTo: TRANSACTION, onSuccess: ['authenticated'] },
  // RFC 2449 §6.6 lets a pipelining client go on after most commands; after AUTH and STLS it must wait.
  AUTH: { name: 'AUTH', states: AUTHORIZATION, syntax: 'AUTH mechanism [initial-response]', rfc: 'RFC 5034 §4', multiLine: 'without-arguments', waitAfter: true, leadsTo: TRANSACTION, onSuccess: ['authenticated'] },
  STLS: { name: 'STLS', states: AUTHORIZATION, syntax: 'STLS', rfc: 'RFC 2595 §4', multiLine: 'never', waitAfter: true, leadsTo: AUTHORIZATION },
  CAPA: { name: 'CAPA', states: BOTH, syntax: 'CAPA', rfc: 'RFC 2449 §5', multiLine: 'always', waitAfter: false, leadsTo: [] },
  QUIT: { name: 'QUIT', states: BOTH, syntax: 'QUIT', rfc: 'RFC 1939 §6', multiLine: 'never', waitAfter: true, leadsTo: ['UPDATE', 'CLOSED'], onSuccess: ['quit-authorization', 'quit-transaction'] },
  STAT: { name: 'STAT', states: TRANSACTION, syntax: 'STAT', rfc: 'RFC 1939 §5', multiLine: 'never', waitAfter: false, leadsTo: [] },
  LIST: { name: 'LIST', states: TRANSACTION, syntax: 'LIST [msg]', rfc: 'RFC 1939 §5', multiLine: 'without-arguments', waitAfter: false, leadsTo: [] },
  RETR: { name: 'RETR', states: TRANSACTION, syntax: 'RETR msg', rfc: 'RFC 1939 §5', multiLine: 'always', waitAfter: false, leadsTo: [] },
  DELE: { name: 'DELE', states: TRANSACTION, syntax: 'DELE msg', rfc: 'RFC 1939 §5', multiLine: 'never', waitAfter: false, leadsTo: [] },
  NOOP: { name: 'NOOP', states: TRANSACTION, syntax: 'NOOP', rfc: 'RFC 1939 §5', multiLine: 'never', waitAfter: false, leadsTo: [] },
  RSET: { name: 'RSET', states: TRANSACTION, syntax: 'RSET', rfc: 'RFC 1939 §5', multiLine: 'never', waitAfter: false, leadsTo: [] },
  TOP: { name: 'TOP', states: TRANSACTION, syntax: 'TOP msg n', rfc: 'RFC 1939 §7', multiLine: 'always', waitAfter: false, leadsTo: [] },
  UIDL: { name: 'UIDL', states: TRANSACTION, syntax: 'UIDL [msg]', rfc: 'RFC 1939 §7', multiLine: 'without-arguments', waitAfter: false, leadsTo: [] },
  LAST: { name: 'LAST', states: TRANSACTION, syntax: 'LAST', rfc: 'RFC 1460 §5', multiLine: 'never', waitAfter: false, leadsTo: [], historic: true },
};

export const POP3: ProtocolData<Pop3State, Pop3TransitionCause> = {
  protocol: 'pop3',
  states: POP3_STATES,
  initial: 'AUTHORIZATION',
  stateRfc: { AUTHORIZATION: 'RFC 1939 §4', TRANSACTION: 'RFC 1939 §5', UPDATE: 'RFC 1939 §6', CLOSED: 'RFC 1939 §3' },
  commands: Object.values(POP3_COMMAND_SPECS),
  transitions: POP3_TRANSITIONS,
};

/** True when a positive reply to this command line is multi-line (RFC 1939 §3). */
export function pop3MultiLine(spec: CommandSpec<Pop3State, string>, hasArguments: boolean): boolean {
  return spec.multiLine === 'always' || (spec.multiLine === 'without-arguments' && !hasArguments);
}
