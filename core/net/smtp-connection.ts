/**
 * Serves an SMTP client on a socket: builds the engine with this connection's
 * own values (client address for Received lines, TLS, whether plaintext
 * passwords are allowed for this peer, clock and ids) and hands it to the one
 * socket adapter, ServerConnection, with the greeting delay that catches
 * early talkers.
 */
import type { Socket } from 'node:net';
import type { AuthPenaltyTable } from '../engine/auth-penalty.js';
import type { SmtpBackend } from '../smtp/backend.js';
import { SmtpSession } from '../smtp/session.js';
import { type SmtpSessionOptions } from '../smtp/options.js';
import { ServerConnection, type ServerConnectionOptions } from './server-connection.js';

export interface SmtpConnectionDeps extends Omit<ServerConnectionOptions, 'greetingDelayMs'> {
  backend: SmtpBackend;
  options: Omit<SmtpSessionOptions, 'secure' | 'plaintextAuthAllowed' | 'remoteAddress' | 'challenge' | 'now' | 'nextId' | 'authPenalty'>;
  /** Failed logins remembered across connections; bound here to this peer's address. */
  authPenalty?: AuthPenaltyTable;
  /** RFC 5321 §4.5.3.2.7: the server waits at least 5 minutes for the next command. */
  idleTimeoutMs: number;
  /** Wait this long before the 220; a client that talks first is refused (0 turns the check off). */
  greetingDelayMs: number;
  plaintextAuthAllowed: (remoteAddress: string | undefined) => boolean;
  nextId: () => string;
  /** The clock for Received lines and the CRAM-MD5 challenges; real ones when absent. A lesson fixes them to replay an example. */
  now?: () => Date;
  challenge?: () => string;
}

let challenges = 0;

export function serveSmtp(socket: Socket, deps: SmtpConnectionDeps, implicitTls: boolean): ServerConnection {
  const session = new SmtpSession(deps.backend, {
    ...deps.options,
    tlsAvailable: deps.options.tlsAvailable && deps.secureContext !== undefined,
    secure: implicitTls,
    plaintextAuthAllowed: deps.plaintextAuthAllowed(socket.remoteAddress),
    remoteAddress: socket.remoteAddress ?? '0.0.0.0',
    challenge: deps.challenge ?? (() => `<${process.pid}.${Date.now()}.${++challenges}@${deps.options.persona.hostname}>`),
    now: deps.now ?? (() => new Date()),
    nextId: deps.nextId,
    ...(deps.authPenalty ? { authPenalty: deps.authPenalty.forSocket(socket.remoteAddress, socket.remotePort, 'smtp') } : {}),
  });
  return new ServerConnection(socket, session, deps);
}
