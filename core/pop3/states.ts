/**
 * POP3 session states (RFC 1939 §3) and the transitions between them, as data.
 * The same table drives the engine, the state panels and the docs (STYLE.md §2).
 */

export type Pop3State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE' | 'CLOSED';

export const POP3_STATES: readonly Pop3State[] = ['AUTHORIZATION', 'TRANSACTION', 'UPDATE', 'CLOSED'];

export type Pop3TransitionCause =
  | 'authenticated'
  | 'quit-authorization'
  | 'quit-transaction'
  | 'update-done'
  | 'dropped'
  | 'too-many-errors';

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
    cause: 'credentials accepted and the maildrop locked; message numbers are now fixed for the session',
    rfc: 'RFC 1939 §4',
  },
  'quit-authorization': {
    from: 'AUTHORIZATION',
    to: 'CLOSED',
    cause: 'QUIT before logging in: the connection closes and no UPDATE state is entered',
    rfc: 'RFC 1939 §4',
  },
  'quit-transaction': {
    from: 'TRANSACTION',
    to: 'UPDATE',
    cause: 'QUIT in TRANSACTION: messages marked deleted are now removed',
    rfc: 'RFC 1939 §6',
  },
  'update-done': {
    from: 'UPDATE',
    to: 'CLOSED',
    cause: 'UPDATE finished: the maildrop lock is released and the connection closes',
    rfc: 'RFC 1939 §6',
  },
  dropped: {
    from: '*',
    to: 'CLOSED',
    cause: 'the connection ended without QUIT: no UPDATE, so nothing marked deleted is removed',
    rfc: 'RFC 1939 §6',
  },
  'too-many-errors': {
    from: '*',
    to: 'CLOSED',
    cause: 'too many bad commands: the server ends the session without UPDATE',
    rfc: 'RFC 1939 §3',
  },
};

/** What each state means, for annotations and the state panel. */
export const POP3_STATE_INFO: Readonly<Record<Pop3State, { summary: string; rfc: string }>> = {
  AUTHORIZATION: { summary: 'the client must identify itself (USER/PASS, APOP or AUTH) before anything else', rfc: 'RFC 1939 §4' },
  TRANSACTION: { summary: 'logged in with the maildrop locked: list, retrieve and mark messages for deletion', rfc: 'RFC 1939 §5' },
  UPDATE: { summary: 'after QUIT: the server removes the messages marked deleted, then closes', rfc: 'RFC 1939 §6' },
  CLOSED: { summary: 'the session is over', rfc: 'RFC 1939 §3' },
};
