/**
 * POP3 session states (RFC 1939 §3) and the transitions between them, as data.
 * The same table drives the engine, the state panels and the docs (STYLE.md §2).
 */
import { stateSummary, transitionCause } from '../annotations/messages.js';

export type Pop3State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE' | 'CLOSED';

export const POP3_STATES: readonly Pop3State[] = ['AUTHORIZATION', 'TRANSACTION', 'UPDATE', 'CLOSED'];

export type Pop3TransitionCause =
  | 'authenticated'
  | 'quit-authorization'
  | 'quit-transaction'
  | 'update-done'
  | 'dropped'
  | 'too-many-errors'
  | 'timeout';

export interface Pop3Transition {
  /** '*' where the transition can start from any state. */
  readonly from: Pop3State | '*';
  readonly to: Pop3State;
  readonly cause: string;
  readonly rfc: string;
}

export const POP3_TRANSITIONS: Readonly<Record<Pop3TransitionCause, Pop3Transition>> = {
  authenticated: {
    from: 'AUTHORIZATION',
    to: 'TRANSACTION',
    cause: transitionCause('pop3', 'authenticated'),
    rfc: 'RFC 1939 §4',
  },
  'quit-authorization': {
    from: 'AUTHORIZATION',
    to: 'CLOSED',
    cause: transitionCause('pop3', 'quit-authorization'),
    rfc: 'RFC 1939 §4',
  },
  'quit-transaction': {
    from: 'TRANSACTION',
    to: 'UPDATE',
    cause: transitionCause('pop3', 'quit-transaction'),
    rfc: 'RFC 1939 §6',
  },
  'update-done': {
    from: 'UPDATE',
    to: 'CLOSED',
    cause: transitionCause('pop3', 'update-done'),
    rfc: 'RFC 1939 §6',
  },
  dropped: {
    from: '*',
    to: 'CLOSED',
    cause: transitionCause('pop3', 'dropped'),
    rfc: 'RFC 1939 §6',
  },
  'too-many-errors': {
    from: '*',
    to: 'CLOSED',
    cause: transitionCause('pop3', 'too-many-errors'),
    rfc: 'RFC 1939 §3',
  },
  timeout: {
    from: '*',
    to: 'CLOSED',
    cause: transitionCause('pop3', 'timeout'),
    rfc: 'RFC 1939 §3',
  },
};

/** What each state means, for annotations and the state panel. */
export const POP3_STATE_INFO: Readonly<Record<Pop3State, { summary: string; rfc: string }>> = {
  AUTHORIZATION: { summary: stateSummary('pop3', 'AUTHORIZATION'), rfc: 'RFC 1939 §4' },
  TRANSACTION: { summary: stateSummary('pop3', 'TRANSACTION'), rfc: 'RFC 1939 §5' },
  UPDATE: { summary: stateSummary('pop3', 'UPDATE'), rfc: 'RFC 1939 §6' },
  CLOSED: { summary: stateSummary('pop3', 'CLOSED'), rfc: 'RFC 1939 §3' },
};
