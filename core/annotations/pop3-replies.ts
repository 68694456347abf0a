/**
 * POP3 replies: the two status indicators and the SASL continuation
 * (RFC 1939 §3, RFC 5034 §4), and the bracketed response codes of RFC 2449 §8
 * and RFC 3206. Data only; catalogue.ts gathers it.
 */
import type { CatalogueEntry } from './entry.js';

export const POP3_REPLY_ENTRIES: readonly CatalogueEntry[] = [
  {
    key: 'pop3.reply.ok',
    title: '+OK',
    brief: 'success',
    summary:
      'Positive status indicator: the command succeeded. RETR, TOP, CAPA, and LIST or UIDL without an argument, ' +
      'then send more lines, ended by a line holding only ".".',
    rfc: 'RFC 1939 §3',
  },
  {
    key: 'pop3.reply.err',
    title: '-ERR',
    brief: 'failure',
    summary: 'Negative status indicator: the command failed. A code in square brackets at the start of the text, such as [IN-USE], says why (RFC 2449 §8).',
    rfc: 'RFC 1939 §3',
  },
  {
    key: 'pop3.reply.continue',
    title: '+ (continuation)',
    brief: 'SASL challenge, answer with one line',
    summary:
      'AUTH goes on: "+", a space and a base64 challenge ("+ " alone when it is empty). The client answers with one base64 line, ' +
      'or a line holding only "*" to cancel, which the server answers with -ERR.',
    rfc: 'RFC 5034 §4',
  },
  {
    key: 'pop3.code.IN-USE',
    title: '[IN-USE]',
    brief: 'maildrop locked by another session',
    summary:
      'The credentials were accepted, but the maildrop is locked, probably by another POP3 session of the same user. ' +
      'Nothing is wrong with the password: try again when the other session has ended.',
    rfc: 'RFC 2449 §8.1.2',
  },
  {
    key: 'pop3.code.LOGIN-DELAY',
    title: '[LOGIN-DELAY]',
    brief: 'logged in too recently',
    summary:
      'The user logged in too recently: the server wants at least the number of seconds its CAPA LOGIN-DELAY tag announces ' +
      'between logins. Wait and retry; the password was not necessarily wrong.',
    rfc: 'RFC 2449 §8.1.1',
  },
  {
    key: 'pop3.code.SYS',
    title: '[SYS]',
    brief: 'server-side failure',
    summary: 'The failure is a system error on the server, not a problem with the credentials. SYS/TEMP and SYS/PERM say whether it is likely to pass.',
    rfc: 'RFC 3206 §4',
  },
  {
    key: 'pop3.code.SYS/TEMP',
    title: '[SYS/TEMP]',
    brief: 'temporary server problem',
    summary:
      'A system problem that is probably temporary (a resource locked or unavailable, a full disk): retry later, ' +
      'and only trouble the user if it persists.',
    rfc: 'RFC 3206 §4',
  },
  {
    key: 'pop3.code.SYS/PERM',
    title: '[SYS/PERM]',
    brief: 'server problem needing an administrator',
    summary:
      'A system problem that is unlikely to go away without someone fixing it (a corrupted mailbox, a configuration error): ' +
      'the user should contact the people who run the server.',
    rfc: 'RFC 3206 §4',
  },
  {
    key: 'pop3.code.AUTH',
    title: '[AUTH]',
    brief: 'problem with the credentials',
    summary:
      'The failure is about the credentials: a wrong password, an unknown user, an expired account or a login against policy. ' +
      'A client should ask for new credentials rather than simply retry.',
    rfc: 'RFC 3206 §5',
  },
];
