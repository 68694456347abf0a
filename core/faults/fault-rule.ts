/**
 * Fault rules: scripted misbehaviour for a lesson on error handling or a
 * classroom demo (`maillab serve --fault …`), applied by the server engines
 * at dispatch, sans-I/O (the randomness is injected).
 *
 * Text form (the same in lesson headers and on the command line):
 *   RCPT -> "450 4.2.1 Mailbox busy"            answer every RCPT with that reply
 *   RCPT -> "450 4.2.1 Mailbox busy" after 2    the first 2 RCPTs are handled normally, then the fault
 *   RETR -> "-ERR [SYS/TEMP] disk on fire" probability 0.3
 *   DATA -> drop                                 close the connection without a reply
 *   MAIL -> delay 2000                           handle normally, but answer 2000 ms late
 *   smtp:RSET -> "421 4.3.2 shutting down"       limit a rule to one protocol
 *   MAIL -> "550 5.7.23 SPF failed" matching *@bank.example>*
 *                                                only for commands whose arguments match the
 *                                                pattern (* is any text; letters in any case)
 */

export type FaultAction =
  /** Answer with this reply instead of handling the command (raw reply text; "\n" separates lines of a multi-line reply). */
  | { kind: 'reply'; text: string }
  /** Close the connection at once, without a reply. */
  | { kind: 'drop' }
  /** Handle the command normally, but answer this many milliseconds late. */
  | { kind: 'delay'; ms: number };

export interface FaultRule {
  /** Only for this protocol; both when undefined. */
  readonly protocol?: 'pop3' | 'smtp';
  /** The command verb, upper case ("RCPT", "RETR"). */
  readonly command: string;
  readonly action: FaultAction;
  /** The first N matching commands are handled normally. */
  readonly after: number;
  /** Chance that a matching command (past `after`) triggers the fault; 1 = always. */
  readonly probability: number;
  /** Only commands whose arguments match this pattern count (`*` is any text, case-insensitive); all when undefined. */
  readonly matching?: string;
  /** The rule as written, for messages and annotations. */
  readonly source: string;
}
