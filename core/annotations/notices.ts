/**
 * Notices and warnings the engines raise about what just happened: TLS came
 * up, a SASL challenge was decoded, a client authenticated, a password or a
 * line crossed the wire in a way a learner should notice. Data only.
 */
import type { CatalogueEntry } from './entry.js';

export const NOTICE_ENTRIES: readonly CatalogueEntry[] = [
  {
    key: 'pop3.tls.established',
    title: 'TLS established (POP3)',
    brief: 'the connection is now encrypted',
    summary: 'STLS worked: everything from here on is encrypted. The session is still in AUTHORIZATION; the client should ask CAPA again, since the list may change.',
    rfc: 'RFC 2595 §4',
  },
  {
    key: 'smtp.tls.established',
    title: 'TLS established (SMTP)',
    brief: 'the connection is now encrypted',
    summary: 'STARTTLS worked: everything from here on is encrypted. Both sides discard what they learned before TLS, so the client sends EHLO again.',
    rfc: 'RFC 3207 §4.2',
  },
  {
    key: 'pop3.sasl.challenge',
    title: 'SASL challenge (POP3)',
    brief: 'what the base64 challenge says',
    summary: 'The base64 text after "+ " decoded: the mechanism\'s question to the client (for CRAM-MD5, the string to compute the keyed digest of).',
    rfc: 'RFC 5034 §4',
  },
  {
    key: 'smtp.sasl.challenge',
    title: 'SASL challenge (SMTP)',
    brief: 'what the base64 challenge says',
    summary: 'The base64 text after "334 " decoded: the mechanism\'s question to the client ("Username:" for LOGIN, the string to digest for CRAM-MD5).',
    rfc: 'RFC 4954 §4',
  },
  {
    key: 'smtp.auth.authenticated',
    title: 'Authenticated (SMTP)',
    brief: 'the session has a user now',
    summary: 'AUTH succeeded: the session acts for this user until it ends. No further AUTH is allowed, and a submission server now accepts MAIL.',
    rfc: 'RFC 4954 §4',
  },
  {
    key: 'pop3.warning.cleartext-password',
    title: 'Password sent without TLS',
    brief: 'anyone on the path can read it',
    summary: 'A password crossed the network unencrypted (PASS, or AUTH PLAIN whose base64 is an encoding, not encryption). Use POP3S on port 995, or STLS before logging in.',
    rfc: 'RFC 8314 §1',
  },
  {
    key: 'smtp.warning.cleartext-password',
    title: 'Password sent without TLS',
    brief: 'anyone on the path can read it',
    summary: 'A password crossed the network unencrypted (AUTH PLAIN or LOGIN: base64 is an encoding, not encryption). Use port 465 with implicit TLS, or STARTTLS before AUTH.',
    rfc: 'RFC 8314 §1',
  },
  {
    key: 'smtp.warning.bare-lf-command',
    title: 'Command ended with a bare LF',
    brief: 'SMTP lines end with CRLF',
    summary: 'This line ended with LF alone. SMTP lines end with CR LF, and a bare LF is a classic source of trouble (SMTP smuggling); many servers reject it.',
    rfc: 'RFC 5321 §2.3.8',
  },
  {
    key: 'smtp.warning.8bit-without-8bitmime',
    title: '8-bit message without BODY=8BITMIME',
    brief: 'declare 8-bit bodies in MAIL FROM',
    summary: 'The message contains 8-bit octets, but MAIL FROM did not say BODY=8BITMIME. Without it a message must be 7-bit ASCII; a server that checks may refuse it.',
    rfc: 'RFC 6152 §3',
  },
  {
    // No RFC defines this: the fault is the lab's own doing (core/faults), so the reference names the lab.
    key: 'lab.fault.applied',
    title: 'Fault injected by the lab',
    brief: 'scripted misbehaviour, not a real problem',
    summary:
      'A fault rule (maillab serve --fault, or a lesson) matched this command: the server answered with the rule\'s reply instead of handling it, ' +
      'closed the connection without a reply, or answered late. Real servers do all of this (a busy mailbox, a full disk, a crash, an overloaded host), ' +
      'and a good client copes: it retries a 4yz reply later, gives up on a 5yz, and reconnects after a dropped connection.',
    rfc: 'maillab lab',
  },
];

/** What the client trackers notice about a server maillab did not write, or about what the user typed. */
export const CLIENT_NOTICE_ENTRIES: readonly CatalogueEntry[] = [
  {
    key: 'pop3.greeting.apop-timestamp',
    title: 'APOP timestamp in the greeting',
    brief: 'this server offers APOP',
    summary: 'The <…> in the greeting is the APOP timestamp: APOP logs in by sending the MD5 digest of this string followed by the password, so the password itself never crosses the wire.',
    rfc: 'RFC 1939 §7',
  },
  {
    key: 'pop3.retr.size-check',
    title: 'Message size checked',
    brief: 'the octet count matches',
    summary: 'RETR announced the message size in its +OK line; the lines that followed, counted with CRLF line ends and with byte-stuffing removed, add up to exactly that size.',
    rfc: 'RFC 1939 §5',
  },
  {
    key: 'pop3.retr.size-mismatch',
    title: 'Message size differs from the announced size',
    brief: 'the octet count does not match',
    summary: 'The size the server announced is not the size of the message it sent (counted with CRLF line ends, byte-stuffing removed). Sizes that do not add up confuse clients that trust LIST.',
    rfc: 'RFC 1939 §5',
  },
  {
    key: 'pop3.warning.unexpected-reply',
    title: 'Reply nobody asked for (POP3)',
    brief: 'no command was waiting for it',
    summary: 'A reply arrived when no command was waiting for one. POP3 answers each command once, in order; an extra reply means the two sides no longer agree where they are.',
    rfc: 'RFC 1939 §3',
  },
  {
    key: 'smtp.warning.unexpected-reply',
    title: 'Reply nobody asked for (SMTP)',
    brief: 'no command was waiting for it',
    summary: 'A reply arrived when no command was waiting for one. Every SMTP command gets exactly one reply; an extra one means the two sides no longer agree where they are.',
    rfc: 'RFC 5321 §4.2',
  },
  {
    key: 'smtp.warning.early-talker',
    title: 'Sent before the greeting',
    brief: 'wait for 220 first',
    summary: 'The client sent a command before the server\'s 220 greeting. A client should wait for the greeting; many servers treat early talkers as spam software and hang up.',
    rfc: 'RFC 5321 §4.3.1',
  },
  {
    key: 'smtp.warning.unstuffed-dot',
    title: 'Line starting with "." not dot-stuffed',
    brief: 'the server will drop that dot',
    summary: 'Inside DATA, a line that begins with "." must be sent with one more "." in front; the server removes the first dot of every such line, so an unstuffed dot is lost (or, alone on its line, ends the message).',
    rfc: 'RFC 5321 §4.5.2',
  },
  {
    key: 'smtp.warning.bdat-overrun',
    title: 'More bytes than BDAT announced',
    brief: 'the rest is read as commands',
    summary: 'BDAT announced a chunk size, and the server reads exactly that many octets as message data; whatever follows is read as the next command.',
    rfc: 'RFC 3030 §2',
  },
];
