/**
 * Stable error codes. Peer errors become protocol replies and carry one of these
 * codes in their `error` event; our own bugs throw `EngineMisuse`.
 * Every code is listed here once, so front ends and docs can explain it.
 */
export const ERROR_CODES = {
  LINE_TOO_LONG: 'the peer sent a line longer than the protocol allows',
  NUL_BYTE: 'the peer sent a NUL byte in a command line',
  EIGHT_BIT: 'the peer sent an 8-bit byte in a command line, which must be US-ASCII',
  CONTROL_CHARACTER: 'the peer sent a control character in a command line',
  UNKNOWN_COMMAND: 'the peer sent a command this server does not know',
  WRONG_STATE: 'the peer sent a command that is not valid in the current state',
  BAD_ARGUMENT: 'a command argument is missing, malformed or out of range',
  AUTH_FAILED: 'the credentials were rejected',
  AUTH_CANCELLED: 'the client cancelled a SASL exchange with "*"',
  PLAINTEXT_REFUSED: 'plaintext authentication was refused on an unencrypted connection',
  MAILDROP_IN_USE: 'the maildrop is locked by another session',
  LOGIN_DELAY: 'the user logged in again sooner than the LOGIN-DELAY allows',
  STORE_FAILED: 'the message store failed',
  TOO_MANY_ERRORS: 'the session ended after too many bad commands',
  TOO_MANY_BEFORE_LOGIN: 'the session ended after too many commands without logging in',
  LOGIN_DEADLINE: 'the session ended because it did not log in within the fixed time allowed',
  IDLE_TIMEOUT: 'the session ended after the idle timeout',
  CONNECTION_LIMIT: 'the connection was refused because a connection cap was reached',
  TLS_FAILED: 'the TLS handshake failed',
  BARE_CR: 'the peer sent a CR not followed by LF',
  EARLY_TALKER: 'the client sent data before the server greeting',
  AUTH_REQUIRED: 'the command needs authentication first',
  ENCRYPTION_REQUIRED: 'the command needs TLS first',
  BAD_SEQUENCE: 'the command is out of sequence',
  RELAY_DENIED: 'relaying to a non-local domain was refused',
  SENDER_MISMATCH: 'the authenticated user may not send with that reverse-path: the null sender, another domain, or an address that belongs to someone else',
  UNKNOWN_USER: 'the recipient is a local domain without such a user',
  TOO_MANY_RECIPIENTS: 'the recipient limit was reached',
  MESSAGE_TOO_BIG: 'the message exceeds the size limit',
  SMUGGLING: 'the message contained a bare CR or LF (SMTP smuggling protection)',
  MESSAGE_REJECTED: 'the message was refused',
  DELIVERY_FAILED: 'the message could not be stored',
  BAD_REPLY: 'the server sent a line that is not a valid reply (a client tracker noted it and went on)',
  CONNECTION: 'the network connection failed (refused, reset, unreachable or closed)',
  INTERNAL: "maillab's own code failed; the session was answered and closed",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Thrown when maillab's own code misuses an engine (a bug), never for peer misbehaviour. */
export class EngineMisuse extends Error {
  override name = 'EngineMisuse';
}

/** An error meant for the command line: printed as one line, no stack trace. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
}
