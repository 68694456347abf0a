/**
 * Enhanced mail system status codes, class.subject.detail (RFC 3463), with
 * those RFC 4954 (AUTH) and RFC 6531 (SMTPUTF8) add. Each detail code becomes
 * one catalogue entry per class it can appear with (2 success, 4 persistent
 * transient failure, 5 permanent failure) the RFC allows it in, keyed
 * `smtp.enhanced.5.1.1`. The class and subject get entries of their own, so that
 * a code nobody listed can still be explained "by subject" as RFC 3463 §2 asks
 * of clients (see describe.ts).
 */
import type { CatalogueEntry } from './entry.js';

type EnhancedClass = 2 | 4 | 5;

interface DetailCode {
  /** "1.1" for X.1.1. */
  readonly code: string;
  readonly words: string;
  readonly meaning: string;
  readonly rfc: string;
  /**
   * The classes it is given with: those the defining RFC names ("useful only as a
   * permanent error" → [5]); all three where it sets no limit.
   */
  readonly classes?: readonly EnhancedClass[];
}

export const ENHANCED_CLASSES: Readonly<Record<EnhancedClass, { words: string; meaning: string }>> = {
  2: { words: 'Success', meaning: 'the action was carried out; the detail may report something noteworthy about it' },
  4: { words: 'Persistent Transient Failure', meaning: 'the request was valid but a temporary condition got in the way; trying again later may succeed' },
  5: { words: 'Permanent Failure', meaning: 'resending in the same form will not work; something about the message or the destination must change' },
};

export const ENHANCED_SUBJECTS: readonly { subject: number; words: string; meaning: string }[] = [
  { subject: 0, words: 'Other or Undefined Status', meaning: 'no more information about the subject is available' },
  { subject: 1, words: 'Addressing Status', meaning: 'about the sender or recipient address, its syntax or validity; usually the sender can correct it' },
  { subject: 2, words: 'Mailbox Status', meaning: 'about the recipient\'s mailbox, which is under the recipient\'s control' },
  { subject: 3, words: 'Mail System Status', meaning: 'about the destination system, which is under its administrator\'s control' },
  { subject: 4, words: 'Network and Routing Status', meaning: 'about the network and routing on the way, DNS included' },
  { subject: 5, words: 'Mail Delivery Protocol Status', meaning: 'about the mail protocol itself (commands, their order and their arguments)' },
  { subject: 6, words: 'Message Content or Media Status', meaning: 'about the content of the message (its media, encoding or conversion)' },
  { subject: 7, words: 'Security or Policy Status', meaning: 'about security or policy (authorization, filtering, authentication, cryptography)' },
];

/** Detail codes; `code` is subject.detail. RFC 3463 §3 sections follow the subject (X.1 in §3.2 … X.7 in §3.8). */
export const ENHANCED_DETAILS: readonly DetailCode[] = [
  { code: '0.0', words: 'Other undefined Status', meaning: 'nothing more specific than the class is known', rfc: 'RFC 3463 §3.1' },

  { code: '1.0', words: 'Other address status', meaning: 'something about the address caused this', rfc: 'RFC 3463 §3.2' },
  { code: '1.1', words: 'Bad destination mailbox address', meaning: 'the mailbox does not exist (the part of the address left of "@" is wrong)', rfc: 'RFC 3463 §3.2', classes: [5] },
  { code: '1.2', words: 'Bad destination system address', meaning: 'the destination system (the part right of "@") does not exist or cannot accept mail', rfc: 'RFC 3463 §3.2', classes: [5] },
  { code: '1.3', words: 'Bad destination mailbox address syntax', meaning: 'the recipient address is not syntactically valid', rfc: 'RFC 3463 §3.2', classes: [5] },
  { code: '1.4', words: 'Destination mailbox address ambiguous', meaning: 'the address matches more than one recipient on the destination system', rfc: 'RFC 3463 §3.2' },
  { code: '1.5', words: 'Destination address valid', meaning: 'the recipient address is valid (the usual detail of a 250 answer to RCPT)', rfc: 'RFC 3463 §3.2', classes: [2] },
  { code: '1.6', words: 'Destination mailbox has moved, No forwarding address', meaning: 'the address was valid once, but mail is no longer accepted for it', rfc: 'RFC 3463 §3.2', classes: [5] },
  { code: '1.7', words: 'Bad sender\'s mailbox address syntax', meaning: 'the sender\'s address is not syntactically valid', rfc: 'RFC 3463 §3.2' },
  { code: '1.8', words: 'Bad sender\'s system address', meaning: 'the sender\'s system (right of "@") does not exist or cannot accept return mail', rfc: 'RFC 3463 §3.2' },

  { code: '2.0', words: 'Other or undefined mailbox status', meaning: 'the mailbox exists, but something about it caused this', rfc: 'RFC 3463 §3.3' },
  { code: '2.1', words: 'Mailbox disabled, not accepting messages', meaning: 'the mailbox exists but does not accept messages, for a while or for good', rfc: 'RFC 3463 §3.3', classes: [4, 5] },
  { code: '2.2', words: 'Mailbox full', meaning: 'the recipient is over quota; they can make room by deleting mail', rfc: 'RFC 3463 §3.3', classes: [4] },
  { code: '2.3', words: 'Message length exceeds administrative limit', meaning: 'the message is longer than this mailbox\'s own size limit', rfc: 'RFC 3463 §3.3', classes: [5] },
  { code: '2.4', words: 'Mailing list expansion problem', meaning: 'the address is a mailing list that could not be expanded', rfc: 'RFC 3463 §3.3', classes: [4, 5] },

  { code: '3.0', words: 'Other or undefined mail system status', meaning: 'the destination system normally accepts mail, but something about it caused this', rfc: 'RFC 3463 §3.4' },
  { code: '3.1', words: 'Mail system full', meaning: 'the system\'s storage is exhausted (not just this user\'s quota)', rfc: 'RFC 3463 §3.4', classes: [4] },
  { code: '3.2', words: 'System not accepting network messages', meaning: 'the host is not taking messages now (shutting down, overloaded or in maintenance)', rfc: 'RFC 3463 §3.4', classes: [4, 5] },
  { code: '3.3', words: 'System not capable of selected features', meaning: 'the message asks for features the destination system does not support', rfc: 'RFC 3463 §3.4' },
  { code: '3.4', words: 'Message too big for system', meaning: 'the message is larger than the system\'s per-message size limit', rfc: 'RFC 3463 §3.4', classes: [5] },
  { code: '3.5', words: 'System incorrectly configured', meaning: 'the system is not configured in a way that lets it accept this message', rfc: 'RFC 3463 §3.4' },

  { code: '4.0', words: 'Other or undefined network or routing status', meaning: 'something went wrong in the network, and no other code describes it', rfc: 'RFC 3463 §3.5' },
  { code: '4.1', words: 'No answer from host', meaning: 'the outbound connection attempt was not answered', rfc: 'RFC 3463 §3.5', classes: [4] },
  { code: '4.2', words: 'Bad connection', meaning: 'the connection was made but the transaction could not finish (a time-out, or a poor connection)', rfc: 'RFC 3463 §3.5', classes: [4] },
  { code: '4.3', words: 'Directory server failure', meaning: 'a directory server, such as DNS, could not be reached', rfc: 'RFC 3463 §3.5', classes: [4] },
  { code: '4.4', words: 'Unable to route', meaning: 'no next hop could be found for the message from the routing information (DNS)', rfc: 'RFC 3463 §3.5', classes: [4, 5] },
  { code: '4.5', words: 'Mail system congestion', meaning: 'the mail system is congested', rfc: 'RFC 3463 §3.5', classes: [4] },
  { code: '4.6', words: 'Routing loop detected', meaning: 'the message was forwarded too many times, a loop in routing or forwarding', rfc: 'RFC 3463 §3.5', classes: [4] },
  { code: '4.7', words: 'Delivery time expired', meaning: 'the message was too old (it stayed queued too long, or outlived its time-to-live)', rfc: 'RFC 3463 §3.5' },

  { code: '5.0', words: 'Other or undefined protocol status', meaning: 'something went wrong with the mail protocol, and no other code describes it', rfc: 'RFC 3463 §3.6' },
  { code: '5.1', words: 'Invalid command', meaning: 'the command was out of sequence or is not supported', rfc: 'RFC 3463 §3.6', classes: [5] },
  { code: '5.2', words: 'Syntax error', meaning: 'the command could not be interpreted (wrong syntax, or an unrecognized command)', rfc: 'RFC 3463 §3.6', classes: [5] },
  { code: '5.3', words: 'Too many recipients', meaning: 'more recipients than can be delivered in one transaction; send the rest separately', rfc: 'RFC 3463 §3.6' },
  { code: '5.4', words: 'Invalid command arguments', meaning: 'a valid command had invalid arguments (out of range, or an unrecognized feature)', rfc: 'RFC 3463 §3.6', classes: [5] },
  { code: '5.5', words: 'Wrong protocol version', meaning: 'the two sides disagree on the protocol version and could not resolve it', rfc: 'RFC 3463 §3.6' },
  { code: '5.6', words: 'Authentication Exchange line is too long', meaning: 'a base64 line of the AUTH exchange was longer than the server can take', rfc: 'RFC 4954 §6', classes: [4, 5] },

  { code: '6.0', words: 'Other or undefined media error', meaning: 'something about the content made it undeliverable, and no other code describes it', rfc: 'RFC 3463 §3.7' },
  { code: '6.1', words: 'Media not supported', meaning: 'the message\'s media is not supported on the way to the recipient', rfc: 'RFC 3463 §3.7', classes: [5] },
  { code: '6.2', words: 'Conversion required and prohibited', meaning: 'the content must be converted to be delivered, and conversion is not allowed', rfc: 'RFC 3463 §3.7' },
  { code: '6.3', words: 'Conversion required but not supported', meaning: 'the content must be converted (say, 8-bit down to 7-bit) and the host cannot do it', rfc: 'RFC 3463 §3.7' },
  { code: '6.4', words: 'Conversion with loss performed', meaning: 'the message was delivered, but a conversion lost some data', rfc: 'RFC 3463 §3.7', classes: [2, 5] },
  { code: '6.5', words: 'Conversion Failed', meaning: 'a required conversion was attempted and failed', rfc: 'RFC 3463 §3.7', classes: [4, 5] },
  { code: '6.7', words: 'Non-ASCII addresses not permitted for that sender/recipient', meaning: 'the address is not ASCII and is not accepted here, for instance without SMTPUTF8', rfc: 'RFC 6531 §3.5', classes: [5] },
  { code: '6.8', words: 'UTF-8 string reply is required, but not permitted by the SMTP client', meaning: 'the answer would have to show a UTF-8 mailbox name, which the client did not allow', rfc: 'RFC 6531 §4.2', classes: [2, 5] },
  { code: '6.9', words: 'UTF-8 header message cannot be transferred to one or more recipients', meaning: 'a message with UTF-8 header fields cannot reach every recipient, so it is refused', rfc: 'RFC 6531 §3.5', classes: [5] },
  { code: '6.10', words: 'Duplicate of X.6.8 (deprecated)', meaning: 'the same as X.6.8; RFC 6531 deprecates this code', rfc: 'RFC 6531 §4.2', classes: [5] },

  { code: '7.0', words: 'Other or undefined security status', meaning: 'something about security or policy caused this, and no other code (or policy) lets the server say more', rfc: 'RFC 3463 §3.8' },
  { code: '7.1', words: 'Delivery not authorized, message refused', meaning: 'the sender is not allowed to send to this destination (per-host or per-recipient filtering, relaying denied)', rfc: 'RFC 3463 §3.8', classes: [5] },
  { code: '7.2', words: 'Mailing list expansion prohibited', meaning: 'the sender may not send to this mailing list', rfc: 'RFC 3463 §3.8', classes: [5] },
  { code: '7.3', words: 'Security conversion required but not possible', meaning: 'delivery needed a conversion between secure messaging protocols that could not be done', rfc: 'RFC 3463 §3.8', classes: [5] },
  { code: '7.4', words: 'Security features not supported', meaning: 'the message uses security features the delivery protocol cannot support', rfc: 'RFC 3463 §3.8', classes: [5] },
  { code: '7.5', words: 'Cryptographic failure', meaning: 'a system that should validate or decrypt the message lacked a valid key or similar information', rfc: 'RFC 3463 §3.8' },
  { code: '7.6', words: 'Cryptographic algorithm not supported', meaning: 'a system that should validate or decrypt the message does not support its algorithm', rfc: 'RFC 3463 §3.8' },
  { code: '7.7', words: 'Message integrity failure', meaning: 'the message was corrupted or altered, so it could not be validated', rfc: 'RFC 3463 §3.8' },
  { code: '7.8', words: 'Authentication credentials invalid', meaning: 'AUTH failed because of the credentials (wrong user name or password)', rfc: 'RFC 4954 §6', classes: [5] },
  { code: '7.9', words: 'Authentication mechanism is too weak', meaning: 'the SASL mechanism is weaker than policy allows for this user', rfc: 'RFC 4954 §6', classes: [5] },
  { code: '7.11', words: 'Encryption required for requested authentication mechanism', meaning: 'this mechanism may only be used over an encrypted connection', rfc: 'RFC 4954 §6', classes: [5] },
  { code: '7.12', words: 'A password transition is needed', meaning: 'authenticate once with PLAIN so the server can set up the chosen mechanism', rfc: 'RFC 4954 §6', classes: [4] },
];

/**
 * Codes whose everyday use an RFC shows: the success codes replace the generic
 * "other or undefined" text (odd for a success), the failure codes add to it.
 */
const USES: Readonly<Record<string, { replace?: string; add?: string; rfc?: string }>> = {
  '2.0.0': { replace: 'Success, with nothing more specific to say: the usual detail of 250 after RSET, NOOP or the end of the message, and of 221 after QUIT (RFC 2034 §6 shows "221 2.0.0 Goodbye").' },
  '2.1.0': { replace: 'Success concerning an address: servers send it with the 250 that accepts the sender of MAIL FROM (RFC 2034 §6 shows "250 2.1.0 Originator … ok").' },
  '2.6.0': { replace: 'Success concerning the content: RFC 2034 §6 shows "250 2.6.0 Message accepted" after the end of the message.' },
  '2.7.0': { replace: 'Success concerning security: the detail of the 235 that says AUTH succeeded.', rfc: 'RFC 4954 §6' },
  '4.7.0': { add: 'RFC 4954 §6 gives it with 454: a temporary authentication failure.' },
  '5.7.0': { add: 'RFC 4954 §6 gives it with 530: authentication required; RFC 3207 §4 with 530 when STARTTLS must come first.' },
};

function detailEntries(detail: DetailCode): CatalogueEntry[] {
  return (detail.classes ?? ([2, 4, 5] as const)).map((cls) => {
    const full = `${cls}.${detail.code}`;
    const use = USES[full];
    const generic = `${ENHANCED_CLASSES[cls].words}: ${detail.meaning}.`;
    return {
      key: `smtp.enhanced.${full}`,
      title: `${full} ${detail.words}`,
      brief: detail.words,
      summary: use?.replace ?? (use?.add ? `${generic} ${use.add}` : generic),
      rfc: use?.rfc ?? detail.rfc,
    };
  });
}

/** Every enhanced-code entry: classes, subjects, and each detail code in each of its classes. */
export function enhancedCodeEntries(): CatalogueEntry[] {
  const classes = Object.entries(ENHANCED_CLASSES).map(([cls, info]): CatalogueEntry => ({
    key: `smtp.enhanced-class.${cls}`,
    title: `${cls}.XXX.XXX ${info.words}`,
    brief: info.words,
    summary: `The first number of an enhanced status code: ${info.meaning}. It always agrees with the first digit of the reply code (RFC 2034 §4).`,
    rfc: 'RFC 3463 §2',
  }));
  const subjects = ENHANCED_SUBJECTS.map(({ subject, words, meaning }): CatalogueEntry => ({
    key: `smtp.enhanced-subject.${subject}`,
    title: `X.${subject}.XXX ${words}`,
    brief: words,
    summary: `The second number of an enhanced status code: ${meaning}.`,
    rfc: 'RFC 3463 §2',
  }));
  return [...classes, ...subjects, ...ENHANCED_DETAILS.flatMap(detailEntries)];
}
