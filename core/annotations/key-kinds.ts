/**
 * What kind of thing a catalogue key names, read from its prefix: the label
 * front ends show beside an entry ("SMTP reply code") and the name a user
 * would type for it ("354", "[IN-USE]").
 */

export interface KeyKind {
  readonly prefix: string;
  readonly label: string;
}

/** Every key family of the catalogue, most specific prefix first. */
export const KEY_KINDS: readonly KeyKind[] = [
  { prefix: 'pop3.command.', label: 'POP3 command' },
  { prefix: 'smtp.command.', label: 'SMTP command' },
  { prefix: 'pop3.state.', label: 'POP3 state' },
  { prefix: 'smtp.state.', label: 'SMTP state' },
  { prefix: 'pop3.reply.', label: 'POP3 status indicator' },
  { prefix: 'pop3.code.', label: 'POP3 response code' },
  { prefix: 'smtp.reply.', label: 'SMTP reply code' },
  { prefix: 'smtp.digit1.', label: 'SMTP reply code, first digit' },
  { prefix: 'smtp.digit2.', label: 'SMTP reply code, second digit' },
  { prefix: 'smtp.enhanced-class.', label: 'enhanced status code class' },
  { prefix: 'smtp.enhanced-subject.', label: 'enhanced status code subject' },
  { prefix: 'smtp.enhanced.', label: 'enhanced status code' },
  { prefix: 'pop3.capa.', label: 'POP3 CAPA tag' },
  { prefix: 'smtp.keyword.', label: 'SMTP EHLO keyword' },
  { prefix: 'pop3.warning.', label: 'POP3 warning' },
  { prefix: 'smtp.warning.', label: 'SMTP warning' },
  { prefix: 'client.warning.', label: 'client warning' },
  { prefix: 'mail.header.', label: 'message header field' },
  { prefix: 'pop3.', label: 'POP3 note' },
  { prefix: 'smtp.', label: 'SMTP note' },
  { prefix: 'lab.', label: 'lab note' },
];

/** The kind of a key, if it belongs to a known family. */
export function keyKind(key: string): KeyKind | undefined {
  return KEY_KINDS.find((kind) => key.startsWith(kind.prefix));
}

/** The name a user types for a key: "RETR", "354", "5.7.1", "[IN-USE]", "2yz"; the whole key for notes. */
export function keyName(key: string): string {
  const kind = keyKind(key);
  if (!kind || kind.prefix === 'pop3.' || kind.prefix === 'smtp.' || kind.prefix === 'lab.' || kind.prefix.endsWith('warning.')) return key;
  const rest = key.slice(kind.prefix.length);
  switch (kind.prefix) {
    case 'pop3.code.':
      return `[${rest}]`;
    case 'pop3.reply.':
      return { ok: '+OK', err: '-ERR', continue: '+' }[rest] ?? rest;
    case 'smtp.digit1.':
      return `${rest}yz`;
    case 'smtp.digit2.':
      return `x${rest}z`;
    case 'smtp.enhanced-class.':
      return `${rest}.XXX.XXX`;
    case 'smtp.enhanced-subject.':
      return `X.${rest}.XXX`;
    default:
      return rest;
  }
}
