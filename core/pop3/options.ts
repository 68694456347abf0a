/** How a POP3 engine is set up: what the adapter decides per connection, and the lab's defaults. */
import type { AuthPenalty } from '../engine/auth-penalty.js';
import { given, type EngineSettings } from '../engine/engine-settings.js';
import type { FaultPlan } from '../faults/fault-plan.js';
import type { Pop3Texts } from './persona.js';

export interface Pop3SessionOptions {
  /** Name used in the greeting's sign-off and CAPA IMPLEMENTATION (RFC 1939 §6 example: "dewey"). */
  serverName: string;
  /** Greeting text before the APOP timestamp (RFC 1939 §4 example: "POP3 server ready"). */
  greetingText: string;
  /** The APOP timestamp `<pid.clock@host>` (RFC 1939 §7); chosen by the adapter, which owns the clock. */
  timestamp: string;
  /** True when the connection is already TLS (implicit TLS, RFC 8314). */
  secure: boolean;
  /** True when STLS can be offered (the adapter has a certificate). */
  tlsAvailable: boolean;
  /** Plaintext passwords accepted outside TLS: loopback peers, or the operator's --allow-plaintext-auth. */
  plaintextAuthAllowed: boolean;
  /** A fresh CRAM-MD5 challenge `<random.clock@host>` (RFC 2195 §2). */
  challenge: () => string;
  /** Delay before answering the Nth consecutive authentication failure, in ms. */
  authFailureDelay: (failures: number) => number;
  /** Failed logins remembered across connections, bound to this connection's address (core/engine/auth-penalty.ts). */
  authPenalty?: AuthPenalty;
  /** Bad commands tolerated before the session is ended. */
  maxBadCommands: number;
  /** Commands allowed before a login, good or bad; absent: no cap (lessons, the sandbox). */
  maxCommandsBeforeLogin?: number;
  /** RFC 2449 §6.5 LOGIN-DELAY, in seconds, enforced by the backend; 0 = none. */
  loginDelaySeconds: number;
  /** RFC 2449 §6.7 EXPIRE: days a message may stay after retrieval; 'NEVER' = kept until deleted. */
  expire: number | 'NEVER';
  /** Scripted misbehaviour for this session (a lab's fault rules, core/faults); none when absent. */
  faults?: FaultPlan;
  /** Reply wording; keys left out keep maillab's defaults (core/pop3/persona.ts). Lessons reword replies to match an RFC. */
  texts?: Partial<Pop3Texts>;
  /**
   * USER answers -ERR for a name without a maildrop (RFC 1939 §7 example). Off by
   * default: answering alike for every name keeps mailbox names from being probed (RFC 1939 §13).
   */
  revealUnknownUsers?: boolean;
  /** RFC 2449 response codes ("-ERR [IN-USE] …") and the RESP-CODES/AUTH-RESP-CODE tags; on unless false. RFC 1939's examples have none. */
  responseCodes?: boolean;
  /**
   * What RSET does to the historic LAST count: 'zero' as RFC 1460 §5 says, or
   * 'initial' (the value at the start of the session) as RFC 1081 says.
   */
  lastAfterRset?: 'zero' | 'initial';
  /** The exact CAPA lines to send instead of the computed list (to replay an RFC example such as RFC 2449 §5). */
  capabilities?: readonly string[];
  /** The exact CAPA lines once TLS is active (RFC 5034 §6 offers PLAIN only then); without them, `capabilities` less STLS, or the computed list. */
  tlsCapabilities?: readonly string[];
  /** Reply wording once TLS is active, over `texts` (a lesson replaying an RFC example whose server words its replies differently under TLS). */
  tlsTexts?: Partial<Pop3Texts>;
}

export const DEFAULT_POP3_OPTIONS: Omit<Pop3SessionOptions, 'timestamp' | 'challenge' | 'secure' | 'tlsAvailable' | 'plaintextAuthAllowed'> = {
  serverName: 'maillab',
  greetingText: 'POP3 server ready',
  authFailureDelay: (failures) => Math.min(500 * 2 ** (failures - 1), 8000),
  maxBadCommands: 10,
  loginDelaySeconds: 0,
  expire: 'NEVER',
};

/** POP3 options without what each connection decides (its security, APOP timestamp, challenge, penalty). */
export type Pop3BaseOptions = Omit<Pop3SessionOptions, 'timestamp' | 'challenge' | 'secure' | 'plaintextAuthAllowed' | 'authPenalty'>;

/** The options of a lab's POP3 sessions, from its settings (core/engine/engine-settings.ts); the one place the defaults are spread. */
export function pop3BaseOptions(settings: EngineSettings): Pop3BaseOptions {
  return {
    ...DEFAULT_POP3_OPTIONS,
    serverName: settings.hostname,
    tlsAvailable: settings.tlsAvailable,
    ...given({ maxBadCommands: settings.maxBadCommands, authFailureDelay: settings.authFailureDelay, loginDelaySeconds: settings.loginDelaySeconds, maxCommandsBeforeLogin: settings.maxCommandsBeforeLogin }),
  };
}
