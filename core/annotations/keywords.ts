/**
 * POP3 CAPA tags (RFC 2449 §6 and later) and SMTP EHLO keywords (one per
 * service extension, RFC 5321 §2.2.2). Data only; catalogue.ts gathers it.
 */
import type { CatalogueEntry } from './entry.js';

function tag(name: string, brief: string, summary: string, rfc: string): CatalogueEntry {
  return { key: `pop3.capa.${name}`, title: name, brief, summary, rfc };
}

function keyword(name: string, brief: string, summary: string, rfc: string): CatalogueEntry {
  return { key: `smtp.keyword.${name}`, title: name, brief, summary, rfc };
}

export const POP3_CAPA_ENTRIES: readonly CatalogueEntry[] = [
  tag('TOP', 'the TOP command', 'The optional TOP command is available: the header and the first n body lines of a message.', 'RFC 2449 §6.1'),
  tag(
    'USER',
    'USER and PASS logins',
    'USER and PASS are accepted (not necessarily for every user). Servers that refuse passwords in the clear often leave it out until after STLS.',
    'RFC 2449 §6.2',
  ),
  tag(
    'SASL',
    'AUTH with these SASL mechanisms',
    'The AUTH command is available, with an optional initial response; the arguments are the SASL mechanisms offered (PLAIN, CRAM-MD5 …).',
    'RFC 2449 §6.3',
  ),
  tag(
    'RESP-CODES',
    'bracketed response codes',
    'Any reply text that begins with "[" starts a response code, such as -ERR [IN-USE], that tells a client why a command failed.',
    'RFC 2449 §6.4',
  ),
  tag(
    'LOGIN-DELAY',
    'minimum seconds between logins',
    'The argument is the minimum number of seconds between two logins of a user; a login too soon is refused with [LOGIN-DELAY]. "USER" after it means the value may differ per user, so ask CAPA again after login.',
    'RFC 2449 §6.5',
  ),
  tag(
    'PIPELINING',
    'commands may be sent without waiting',
    'The client may send several commands without waiting for each reply; the server answers them in order, and the client matches replies to commands in the same order.',
    'RFC 2449 §6.6',
  ),
  tag(
    'EXPIRE',
    'how long messages are kept',
    'The minimum number of days the server keeps a message: NEVER means it never deletes them itself, 0 means mail may not be left on the server at all (a retrieved message may be deleted at UPDATE).',
    'RFC 2449 §6.7',
  ),
  tag('UIDL', 'the UIDL command', 'The optional UIDL command is available: unique ids that stay the same across sessions, so a client can tell which messages it has already seen.', 'RFC 2449 §6.8'),
  tag(
    'IMPLEMENTATION',
    'which server software this is',
    'Names the server software, for logs and debugging. Clients must not change their behaviour because of it.',
    'RFC 2449 §6.9',
  ),
  tag(
    'AUTH-RESP-CODE',
    'login failures carry [AUTH]',
    'Every authentication failure caused by the credentials carries the [AUTH] response code, so a client can tell a wrong password from a server problem.',
    'RFC 3206 §6',
  ),
  tag(
    'STLS',
    'the STLS command (start TLS)',
    'The STLS command is available now: upgrade this connection to TLS before logging in. After TLS starts, the client must forget what CAPA said and ask again.',
    'RFC 2595 §4',
  ),
];

export const SMTP_KEYWORD_ENTRIES: readonly CatalogueEntry[] = [
  keyword(
    'PIPELINING',
    'command pipelining',
    'The client may send groups of commands (MAIL, the RCPTs, DATA) without waiting for each reply, then read the replies in order.',
    'RFC 2920 §3',
  ),
  keyword(
    'SIZE',
    'message size declaration',
    'The argument is the largest message the server accepts, in octets (0 means no fixed limit). The client may declare a message\'s size with MAIL FROM:<…> SIZE=n and be refused before sending it.',
    'RFC 1870 §4',
  ),
  keyword(
    '8BITMIME',
    '8-bit MIME transport',
    'The server accepts message bodies with 8-bit octets when MAIL FROM carries BODY=8BITMIME; without it, a message must be 7-bit ASCII.',
    'RFC 6152 §2',
  ),
  keyword(
    'SMTPUTF8',
    'internationalized email',
    'The server accepts UTF-8 addresses and UTF-8 header fields when MAIL FROM carries the SMTPUTF8 parameter.',
    'RFC 6531 §3.2',
  ),
  keyword(
    'CHUNKING',
    'BDAT chunks',
    'The BDAT command is available: the message is sent in chunks of announced size, the last marked LAST, instead of DATA with its dot-stuffing.',
    'RFC 3030 §2',
  ),
  keyword(
    'BINARYMIME',
    'binary MIME with BDAT',
    'MAIL FROM may carry BODY=BINARYMIME for a message with arbitrary binary content; it must then be sent with BDAT (CHUNKING).',
    'RFC 3030 §3',
  ),
  keyword(
    'ENHANCEDSTATUSCODES',
    'enhanced status codes in replies',
    'The server puts an RFC 3463 status code such as 5.1.1 at the start of the text of its 2yz, 4yz and 5yz replies (not the greeting, EHLO/HELO or 3yz).',
    'RFC 2034 §3',
  ),
  keyword(
    'STARTTLS',
    'upgrade to TLS',
    'The STARTTLS command is available: after its 220 the client starts the TLS handshake, then discards what it learned before and sends EHLO again.',
    'RFC 3207 §3',
  ),
  keyword(
    'AUTH',
    'SMTP authentication',
    'The AUTH command is available; the arguments are the SASL mechanisms offered (PLAIN, LOGIN, CRAM-MD5 …). The list may change after STARTTLS.',
    'RFC 4954 §3',
  ),
  keyword(
    'DSN',
    'delivery status notifications',
    'The client may ask for delivery reports: NOTIFY= and ORCPT= on RCPT TO, RET= and ENVID= on MAIL FROM.',
    'RFC 3461 §2',
  ),
  keyword(
    'HELP',
    'the HELP command',
    'The HELP command is available. RFC 5321 requires every command outside the minimum set (§4.5.1) to be listed in the EHLO reply.',
    'RFC 5321 §4.1.1.1',
  ),
  keyword(
    'VRFY',
    'the VRFY command',
    'VRFY is available to check an address. Every server must support VRFY, so listing it is only a courtesy.',
    'RFC 5321 §3.5.2',
  ),
  keyword('EXPN', 'the EXPN command', 'EXPN is available to expand a mailing list into its members; a server that supports it must list it.', 'RFC 5321 §3.5.2'),
  keyword(
    'ETRN',
    'remote queue starting',
    'The ETRN command is available: a client may ask the server to start delivering mail queued for a given domain (typically to a host that connects only now and then).',
    'RFC 1985 §5',
  ),
  keyword(
    'DELIVERBY',
    'deliver by a deadline',
    'MAIL FROM may carry BY= with a time limit: the message must be delivered within it, or be returned or reported as delayed. The optional argument is the shortest limit accepted.',
    'RFC 2852 §2',
  ),
];
