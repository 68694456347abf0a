/**
 * Serves a POP3 client on a socket: builds the engine with this connection's
 * own values (APOP timestamp, CRAM-MD5 challenges, TLS, whether plaintext
 * passwords are allowed for this peer) and hands it to the one socket
 * adapter, ServerConnection.
 */
import type { Socket } from 'node:net';
import type { AuthPenaltyTable } from '../engine/auth-penalty.js';
import type { Pop3Backend } from '../pop3/backend.js';
import { Pop3Session } from '../pop3/session.js';
import { type Pop3SessionOptions } from '../pop3/options.js';
import { ServerConnection, type ServerConnectionOptions } from './server-connection.js';

export interface Pop3ConnectionDeps extends Omit<ServerConnectionOptions, 'greetingDelayMs'> {
  backend: Pop3Backend;
  /** Session options without the per-connection ones, which this adapter fills in. */
  options: Omit<Pop3SessionOptions, 'timestamp' | 'challenge' | 'secure' | 'plaintextAuthAllowed' | 'authPenalty'>;
  /** Failed logins remembered across connections; bound here to this peer's address. */
  authPenalty?: AuthPenaltyTable;
  /** The host name in APOP timestamps and CRAM-MD5 challenges. */
  hostname: string;
  /** RFC 1939 §3: at least 10 minutes. */
  idleTimeoutMs: number;
  plaintextAuthAllowed: (remoteAddress: string | undefined) => boolean;
  /** The APOP timestamp and CRAM-MD5 challenges; `<pid.clock@hostname>` when absent. A lesson fixes them to replay an RFC example. */
  timestamp?: () => string;
  challenge?: () => string;
}

let clock = 0;

/** `<pid.clock@host>` (RFC 1939 §7): unique per greeting and per challenge. */
function makeTimestamp(hostname: string): string {
  clock = Math.max(clock + 1, Math.floor(Date.now() / 1000));
  return `<${process.pid}.${clock}@${hostname}>`;
}

export function servePop3(socket: Socket, deps: Pop3ConnectionDeps, implicitTls: boolean): ServerConnection {
  const session = new Pop3Session(deps.backend, {
    ...deps.options,
    tlsAvailable: deps.options.tlsAvailable && deps.secureContext !== undefined,
    timestamp: deps.timestamp?.() ?? makeTimestamp(deps.hostname),
    challenge: deps.challenge ?? (() => makeTimestamp(deps.hostname)),
    secure: implicitTls,
    plaintextAuthAllowed: deps.plaintextAuthAllowed(socket.remoteAddress),
    ...(deps.authPenalty ? { authPenalty: deps.authPenalty.forSocket(socket.remoteAddress, socket.remotePort, 'pop3') } : {}),
  });
  return new ServerConnection(socket, session, deps);
}
