/**
 * Mail paths and ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2,
 * SMTPUTF8 addresses per RFC 6531 §3.3). Pure parsing with a specific reason
 * for each failure.
 */

export interface Mailbox {
  readonly localPart: string;
  readonly domain: string;
}

export interface ParsedPath {
  /** null for the null reverse-path "<>" (bounces, RFC 5321 §4.5.5). */
  readonly mailbox: Mailbox | null;
  /** ESMTP parameters, keyword upper-cased (RFC 5321 §4.1.2 esmtp-param). */
  readonly params: ReadonlyMap<string, string | true>;
  /** The path contains non-ASCII characters (needs SMTPUTF8, RFC 6531 §3.3). */
  readonly international: boolean;
}

export type PathResult = { ok: true; path: ParsedPath } | { ok: false; reason: string };

/** The text of an address as written in a path ("postmaster" alone has no domain, RFC 5321 §4.1.1.3). */
export function formatMailbox(mailbox: Mailbox | null): string {
  if (mailbox === null) return '';
  return mailbox.domain === '' ? mailbox.localPart : `${mailbox.localPart}@${mailbox.domain}`;
}

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const ATOM_UTF8 = "(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|[^\\x00-\\x7f])";
const DOT_STRING = new RegExp(`^${ATOM}+(?:\\.${ATOM}+)*$`);
const DOT_STRING_UTF8 = new RegExp(`^${ATOM_UTF8}+(?:\\.${ATOM_UTF8}+)*$`);
const QUOTED_STRING = /^"(?:[\x20-\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e]|[^\x00-\x7f])*"$/;
/** A domain of LDH labels; a label may hold UTF-8 (a U-label) when SMTPUTF8 is in use (RFC 6531 §3.3). */
const LABEL = '[A-Za-z0-9\\u0080-\\uffff](?:[A-Za-z0-9\\u0080-\\uffff-]*[A-Za-z0-9\\u0080-\\uffff])?';
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const ADDRESS_LITERAL = /^\[(?:\d{1,3}(?:\.\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]+)\]$/;

/**
 * Parses what follows "MAIL FROM:" or "RCPT TO:". A space after the colon is
 * tolerated (many clients send one), as Postfix and Dovecot do.
 */
export function parsePath(text: string, options: { allowNull: boolean; allowPostmaster: boolean }): PathResult {
  const trimmed = text.replace(/^ +/, '');
  if (!trimmed.startsWith('<')) return { ok: false, reason: 'the address must be in angle brackets, like <user@example.com>' };
  const close = findClosingBracket(trimmed);
  if (close === -1) return { ok: false, reason: 'missing ">" after the address' };
  const inside = trimmed.slice(1, close);
  const rest = trimmed.slice(close + 1);
  if (rest !== '' && !rest.startsWith(' ')) return { ok: false, reason: 'expected a space between the address and its parameters' };
  const params = parseParams(rest.trim());
  if (typeof params === 'string') return { ok: false, reason: params };
  const international = /[^\x00-\x7f]/.test(inside);
  if (inside === '') {
    if (!options.allowNull) return { ok: false, reason: 'the null path <> is only allowed in MAIL FROM' };
    return { ok: true, path: { mailbox: null, params, international: false } };
  }
  // A source route "@a,@b:" is obsolete; RFC 5321 §4.1.2 says accept and ignore it, but it must be one:
  // A-d-l = At-domain *( "," At-domain ), At-domain = "@" Domain, so "<@:x@y>" is a syntax error.
  const route = /^(@[^:]*):/.exec(inside);
  if (route && !route[1]!.split(',').every((hop) => hop.startsWith('@') && (DOMAIN.test(hop.slice(1)) || ADDRESS_LITERAL.test(hop.slice(1))))) {
    return { ok: false, reason: `invalid source route "${route[1]!.slice(0, 64)}": expected @domain[,@domain]: before the address (RFC 5321 §4.1.2)` };
  }
  const withoutRoute = route ? inside.slice(route[0].length) : inside;
  if (options.allowPostmaster && withoutRoute.toLowerCase() === 'postmaster') {
    return { ok: true, path: { mailbox: { localPart: withoutRoute, domain: '' }, params, international } };
  }
  const at = withoutRoute.lastIndexOf('@');
  if (at <= 0) return { ok: false, reason: `"${withoutRoute.slice(0, 64)}" has no domain: expected local-part@domain` };
  const localPart = withoutRoute.slice(0, at);
  const domain = withoutRoute.slice(at + 1);
  if (!DOT_STRING_UTF8.test(localPart) && !QUOTED_STRING.test(localPart)) {
    return { ok: false, reason: `invalid local part "${localPart.slice(0, 64)}"` };
  }
  if (!international && !DOT_STRING.test(localPart) && !QUOTED_STRING.test(localPart)) {
    return { ok: false, reason: `invalid local part "${localPart.slice(0, 64)}"` };
  }
  if (Buffer.byteLength(localPart) > 64) return { ok: false, reason: 'local part longer than 64 octets (RFC 5321 §4.5.3.1.1)' };
  if (!DOMAIN.test(domain) && !ADDRESS_LITERAL.test(domain)) return { ok: false, reason: `invalid domain "${domain.slice(0, 64)}"` };
  if (Buffer.byteLength(domain) > 255) return { ok: false, reason: 'domain longer than 255 octets (RFC 5321 §4.5.3.1.2)' };
  return { ok: true, path: { mailbox: { localPart, domain }, params, international } };
}

/**
 * A local part without its quoting, for comparing with mailbox names: RFC 5321
 * §4.1.2 says all quoted forms MUST be treated as equivalent, so "carol" in
 * quotes is carol (the quotes and the "\\" of a quoted-pair are not part of it, RFC 5322 §3.2.4).
 */
export function unquotedLocalPart(localPart: string): string {
  if (!(localPart.length >= 2 && localPart.startsWith('"') && localPart.endsWith('"'))) return localPart;
  return localPart.slice(1, -1).replace(/\\(.)/g, '$1');
}

function findClosingBracket(text: string): number {
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && quoted) i++;
    else if (char === '"') quoted = !quoted;
    else if (char === '>' && !quoted) return i;
  }
  return -1;
}

/** esmtp-param = esmtp-keyword ["=" esmtp-value] (RFC 5321 §4.1.2). */
function parseParams(text: string): Map<string, string | true> | string {
  const params = new Map<string, string | true>();
  if (text === '') return params;
  for (const word of text.split(/ +/)) {
    const eq = word.indexOf('=');
    const keyword = (eq === -1 ? word : word.slice(0, eq)).toUpperCase();
    if (!/^[A-Z0-9][A-Z0-9-]*$/.test(keyword)) return `invalid parameter "${word.slice(0, 40)}"`;
    if (params.has(keyword)) return `parameter ${keyword} given twice`;
    params.set(keyword, eq === -1 ? true : word.slice(eq + 1));
  }
  return params;
}
