/** The shape of a SASL exchange, shared by the mechanisms (./mechanisms.ts, ./oauthbearer.ts). */

export type MechanismName = 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'OAUTHBEARER';

/** One step of an exchange: a challenge to send, a claim to check, or a failure. `reject`, when present, gives the challenge that tells the client its credentials were refused (RFC 7628 §3.2.2) instead of failing at once. */
export type SaslStep =
  | { kind: 'challenge'; data: Buffer }
  /** The exchange is complete: check `verify(secret)` for `user`. */
  /** `attempt` is the password itself, for mechanisms that send it (PLAIN, LOGIN): the penalty recognises a repeat. */
  | { kind: 'claim'; user: string; verify: (secret: string) => boolean; reject?: () => SaslStep; attempt?: string }
  | { kind: 'failure'; reason: string };

export interface SaslExchange {
  readonly mechanism: MechanismName;
  /** Starts the exchange; `initial` is the decoded initial response, if the client sent one. */
  start(initial: Buffer | undefined): SaslStep;
  /** Feeds one decoded client response. */
  respond(response: Buffer): SaslStep;
}

