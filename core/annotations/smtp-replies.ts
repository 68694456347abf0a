/**
 * SMTP reply codes: every code RFC 5321 lists (§4.2.2, §4.2.3) and those its
 * extensions add (AUTH, STARTTLS), plus what the first and second digits mean
 * on their own (§4.2.1), from which a code without an entry is explained.
 * Titles use RFC 5321's own reply texts. Data only; catalogue.ts gathers it.
 */
import type { CatalogueEntry } from './entry.js';

function code(value: number, words: string, summary: string, rfc: string): CatalogueEntry {
  return { key: `smtp.reply.${value}`, title: `${value} ${words}`, brief: words, summary, rfc };
}

export const SMTP_REPLY_ENTRIES: readonly CatalogueEntry[] = [
  code(211, 'System status', 'System status, or a system help reply. RFC 5321 lists it, but no standard command is required to return it.', 'RFC 5321 §4.2.2'),
  code(214, 'Help message', 'The answer to HELP: how to use this server, or what a command means. It is meant for a person reading it, not for a program.', 'RFC 5321 §4.2.2'),
  code(
    220,
    'Service ready',
    'The greeting when a connection opens, with the server\'s name: send EHLO next. It is also the answer to STARTTLS: start the TLS handshake now (RFC 3207 §4).',
    'RFC 5321 §3.1',
  ),
  code(221, 'Service closing transmission channel', 'The answer to QUIT: the server says goodbye and closes the connection.', 'RFC 5321 §4.1.1.10'),
  code(
    235,
    'Authentication succeeded',
    'AUTH worked: the session is now authenticated as that user, so a submission server will take MAIL. A second AUTH in the same session gets 503.',
    'RFC 4954 §6',
  ),
  code(
    250,
    'Requested mail action okay, completed',
    'Success: the command did what was asked. After the message\'s final "." it means the server has taken responsibility for delivering it (§4.2.5).',
    'RFC 5321 §4.2.2',
  ),
  code(
    251,
    'User not local; will forward',
    'The recipient is accepted, but the server will forward the message elsewhere; the text may give the new address. Many servers forward silently with 250 instead.',
    'RFC 5321 §3.4',
  ),
  code(
    252,
    'Cannot VRFY user, but will accept message and attempt delivery',
    'The answer to VRFY from a server that will not say whether the mailbox exists (often for privacy) but would still accept mail for it.',
    'RFC 5321 §3.5.3',
  ),
  code(
    334,
    'Authentication challenge',
    'AUTH goes on: the text is a base64 challenge ("334 " alone when it is empty). The client answers with one base64 line, or "*" to cancel, which gets 501.',
    'RFC 4954 §4',
  ),
  code(
    354,
    'Start mail input',
    'DATA accepted: send the message (header fields, a blank line, the body) and end it with a line holding only "." (<CRLF>.<CRLF>). A line that begins with "." is sent with one more "." in front (§4.5.2).',
    'RFC 5321 §4.1.1.4',
  ),
  code(
    421,
    'Service not available, closing transmission channel',
    'The server is ending the session (shutting down, overloaded, a timeout, too many errors) and closes the connection; it can be the answer to any command. Try again later.',
    'RFC 5321 §3.8',
  ),
  code(
    432,
    'A password transition is needed',
    'AUTH refused with this mechanism until the user has authenticated once with PLAIN, which lets the server set the chosen mechanism up for later sessions.',
    'RFC 4954 §6',
  ),
  code(
    450,
    'Requested mail action not taken: mailbox unavailable',
    'A temporary refusal for this mailbox (busy, or blocked for a while for policy reasons): the same command may succeed later.',
    'RFC 5321 §4.2.2',
  ),
  code(451, 'Requested action aborted: local error in processing', 'The server hit a temporary problem of its own and did nothing; try again later.', 'RFC 5321 §4.2.2'),
  code(
    452,
    'Requested action not taken: insufficient system storage',
    'Temporary: the server is short of storage. After RCPT it is also the right answer to "too many recipients": send the rest in another transaction (§4.5.3.1.10).',
    'RFC 5321 §4.2.2',
  ),
  code(
    454,
    'Temporary failure (TLS or authentication)',
    'After STARTTLS: TLS is not available for now (RFC 3207 §4). After AUTH: authentication failed because of a server problem, not the password; do not ask the user for it again (RFC 4954 §6).',
    'RFC 3207 §4',
  ),
  code(
    455,
    'Server unable to accommodate parameters',
    'Temporary: the server cannot handle one of the MAIL FROM or RCPT TO parameters right now; the command may work later.',
    'RFC 5321 §4.1.1.11',
  ),
  code(
    500,
    'Syntax error, command unrecognized',
    'The server did not understand the command: an unknown verb, a line that is too long, or bad bytes in it. Also the answer to an AUTH line too long for the server\'s buffer (RFC 4954 §6).',
    'RFC 5321 §4.2.2',
  ),
  code(501, 'Syntax error in parameters or arguments', 'The command is known, but its arguments are malformed (a bad address, a missing domain, an argument where none is allowed).', 'RFC 5321 §4.2.2'),
  code(
    502,
    'Command not implemented',
    'The server recognises the command but does not implement it, or has it disabled (EXPN often is). A command it has never heard of gets 500.',
    'RFC 5321 §4.2.4',
  ),
  code(
    503,
    'Bad sequence of commands',
    'The command is out of order: RCPT before MAIL, DATA before any accepted RCPT, MAIL inside an open transaction, a second AUTH. The session stays in the state it was in.',
    'RFC 5321 §4.1.4',
  ),
  code(504, 'Command parameter not implemented', 'The command is implemented, but not the parameter asked for (an unknown AUTH mechanism, a HELP topic).', 'RFC 5321 §4.2.2'),
  code(
    530,
    'Authentication required',
    'The server wants AUTH before this command (a submission port, RFC 6409 §4.3). With the text "Must issue a STARTTLS command first" it wants TLS first (RFC 3207 §4).',
    'RFC 4954 §6',
  ),
  code(534, 'Authentication mechanism is too weak', 'The chosen SASL mechanism is weaker than the server\'s policy allows for this user; retry AUTH with a stronger one.', 'RFC 4954 §6'),
  code(
    535,
    'Authentication credentials invalid',
    'AUTH failed because of the credentials: wrong user name or password. The client should ask the user for them again.',
    'RFC 4954 §6',
  ),
  code(
    538,
    'Encryption required for requested authentication mechanism',
    'This mechanism may only be used over an encrypted connection: STARTTLS first. RFC 4954 keeps the code for history; modern servers simply do not offer such mechanisms before TLS.',
    'RFC 4954 §6',
  ),
  code(
    550,
    'Requested action not taken: mailbox unavailable',
    'A permanent refusal: the mailbox does not exist, access is denied, or the command was rejected for policy reasons. Do not repeat it unchanged.',
    'RFC 5321 §4.2.2',
  ),
  code(
    551,
    'User not local; please try <forward-path>',
    'The recipient is refused here; the text may name the address to use instead. The server does not forward the message itself.',
    'RFC 5321 §3.4',
  ),
  code(
    552,
    'Requested mail action aborted: exceeded storage allocation',
    'Permanent: the message is too big (above the SIZE limit, RFC 1870 §4) or the mailbox has no room for it. Sending it again unchanged will fail again.',
    'RFC 5321 §4.2.2',
  ),
  code(
    553,
    'Requested action not taken: mailbox name not allowed',
    'The address is not acceptable: its syntax is wrong, it is ambiguous, or it is a non-ASCII address where only ASCII is allowed (RFC 6531 §3.5).',
    'RFC 5321 §4.2.2',
  ),
  code(
    554,
    'Transaction failed',
    'A permanent failure of the transaction (no valid recipients, a refused message). As the very first line of a connection it means "no SMTP service here" (§3.1).',
    'RFC 5321 §4.2.2',
  ),
  code(
    555,
    'MAIL FROM/RCPT TO parameters not recognized or not implemented',
    'The server does not know, or cannot do, a parameter given with MAIL FROM or RCPT TO (such as SIZE= or BODY=).',
    'RFC 5321 §4.1.1.11',
  ),
];

/** The first digit of a reply code (RFC 5321 §4.2.1): did it work? */
export const SMTP_FIRST_DIGIT_ENTRIES: readonly CatalogueEntry[] = [
  {
    key: 'smtp.digit1.2',
    title: '2yz Positive Completion reply',
    brief: 'success',
    summary: 'The requested action has been completed; a new command may follow.',
    rfc: 'RFC 5321 §4.2.1',
  },
  {
    key: 'smtp.digit1.3',
    title: '3yz Positive Intermediate reply',
    brief: 'go on',
    summary: 'The command is accepted, but the server needs more before it acts: the message after DATA, or the next SASL response after AUTH.',
    rfc: 'RFC 5321 §4.2.1',
  },
  {
    key: 'smtp.digit1.4',
    title: '4yz Transient Negative Completion reply',
    brief: 'temporary failure',
    summary: 'The command was not accepted and nothing happened, but the condition is temporary: the client should try the same command again later.',
    rfc: 'RFC 5321 §4.2.1',
  },
  {
    key: 'smtp.digit1.5',
    title: '5yz Permanent Negative Completion reply',
    brief: 'permanent failure',
    summary: 'The command was not accepted and nothing happened; repeating it unchanged will fail again. Something (an address, the message, the account) must change first.',
    rfc: 'RFC 5321 §4.2.1',
  },
];

/** The second digit of a reply code (RFC 5321 §4.2.1): what kind of thing it is about. */
export const SMTP_SECOND_DIGIT_ENTRIES: readonly CatalogueEntry[] = [
  {
    key: 'smtp.digit2.0',
    title: 'x0z Syntax',
    brief: 'syntax',
    summary: 'About syntax: errors in the command, commands that fit no other category, and unimplemented or superfluous commands.',
    rfc: 'RFC 5321 §4.2.1',
  },
  { key: 'smtp.digit2.1', title: 'x1z Information', brief: 'information', summary: 'A reply to a request for information, such as status or help.', rfc: 'RFC 5321 §4.2.1' },
  { key: 'smtp.digit2.2', title: 'x2z Connections', brief: 'connection', summary: 'About the transmission channel: the connection opening or closing.', rfc: 'RFC 5321 §4.2.1' },
  {
    key: 'smtp.digit2.3',
    title: 'x3z Unspecified',
    brief: 'unspecified',
    summary: 'RFC 5321 gives this second digit no category; extensions use it (334 for AUTH challenges, 432 for AUTH).',
    rfc: 'RFC 5321 §4.2.1',
  },
  {
    key: 'smtp.digit2.4',
    title: 'x4z Unspecified',
    brief: 'unspecified',
    summary: 'RFC 5321 gives this second digit no category; extensions use it (454 for TLS and AUTH problems).',
    rfc: 'RFC 5321 §4.2.1',
  },
  {
    key: 'smtp.digit2.5',
    title: 'x5z Mail system',
    brief: 'mail system',
    summary: 'About the receiving mail system and the transfer asked for: mailboxes, storage, the message itself.',
    rfc: 'RFC 5321 §4.2.1',
  },
];
