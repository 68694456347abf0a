/**
 * How a POP3 server words its replies. The defaults are maillab's own wording;
 * a lesson overrides single texts so an RFC's example lines replay byte for
 * byte (RFC 1939 §7 "mrose is a real hoopy frood", RFC 5034 "Maildrop locked
 * and ready"). The SMTP counterpart is core/smtp/persona.ts.
 */

/**
 * Reply texts a session may reword. Placeholders are filled in where they apply:
 * `{host}` the server name, `{user}` the mailbox name, `{messages}` "2 messages",
 * `{count}` 2, `{octets}` 320, `{left}` "maildrop empty" or "2 messages left".
 */
export interface Pop3Texts {
  /** USER accepted (RFC 1939 §7 example: "{user} is a real hoopy frood"). */
  userOk: string;
  /** USER for a name with no maildrop; sent only when unknown users are revealed (RFC 1939 §7 example). */
  userUnknown: string;
  /** PASS accepted: the maildrop is locked (RFC 1939 §7). */
  passOk: string;
  /** APOP accepted (RFC 1939 §7 example: "maildrop has {messages} ({octets} octets)"). */
  apopOk: string;
  /** AUTH accepted (RFC 5034 §4 examples: "Maildrop locked and ready"). */
  authOk: string;
  /**
   * A message number past the end of the maildrop, for LIST, RETR, DELE, TOP and
   * UIDL (RFC 1939 §5 LIST and §7 UIDL examples: "no such message, only 2 messages
   * in maildrop"; §7 TOP example: "no such message").
   */
  noSuchMessage: string;
  /** RSET accepted (RFC 1939 §5 example: "maildrop has 2 messages (320 octets)"; RFC 1460 §5 LAST example: a bare "+OK", an empty text). */
  rsetOk: string;
  /** Another session holds the maildrop lock (RFC 1939 §7 example: "maildrop already locked"); empty keeps the store's own explanation. */
  locked: string;
  /** QUIT in AUTHORIZATION (RFC 1939 §4 example: "dewey POP3 server signing off"). */
  signOff: string;
  /** QUIT after UPDATE (RFC 1939 §6 example: "dewey POP3 server signing off (maildrop empty)"). */
  signOffUpdate: string;
  /** The status line before the CAPA list (RFC 2449 §5 "Capability list follows", RFC 5034 "List of capabilities follows"). */
  capaHeading: string;
  /** STLS accepted (RFC 2595 §4 "Begin TLS negotiation", RFC 5034 §6 "Begin TLS negotiation now"). */
  stls: string;
}

export type Pop3TextKey = keyof Pop3Texts;

export const DEFAULT_POP3_TEXTS: Pop3Texts = {
  userOk: '{user}, send PASS',
  userUnknown: 'sorry, no mailbox for {user} here',
  passOk: "{user}'s maildrop has {messages} ({octets} octets)",
  apopOk: "{user}'s maildrop has {messages} ({octets} octets)",
  authOk: "{user}'s maildrop has {messages} ({octets} octets)",
  noSuchMessage: 'no such message, only {messages} in maildrop',
  rsetOk: 'maildrop has {messages} ({octets} octets)',
  locked: '',
  signOff: '{host} POP3 server signing off',
  signOffUpdate: '{host} POP3 server signing off ({left})',
  capaHeading: 'Capability list follows',
  stls: 'Begin TLS negotiation',
};

/** The wording of RFC 1939's own examples (§7): the USER replies and the lock failure. */
export const RFC1939_TEXTS: Partial<Pop3Texts> = {
  userOk: '{user} is a real hoopy frood',
  userUnknown: 'sorry, no mailbox for {user} here',
  locked: 'maildrop already locked',
};

/** The wording of RFC 5034's examples (§6): CAPA heading, STLS and AUTH replies. */
export const RFC5034_TEXTS: Partial<Pop3Texts> = {
  capaHeading: 'List of capabilities follows',
  stls: 'Begin TLS negotiation now',
  authOk: 'Maildrop locked and ready',
};

export type Pop3TextValues = Partial<Record<'host' | 'user' | 'messages' | 'count' | 'octets' | 'left', string>>;

/** The text for `key`: the override if one is set, else the default, with its placeholders filled. */
export function pop3Text(overrides: Partial<Pop3Texts> | undefined, key: Pop3TextKey, values: Pop3TextValues): string {
  const template = overrides?.[key] ?? DEFAULT_POP3_TEXTS[key];
  return template.replace(/\{(host|user|messages|count|octets|left)\}/g, (_, name: keyof Pop3TextValues) => values[name] ?? '');
}
