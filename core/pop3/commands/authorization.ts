/**
 * AUTHORIZATION commands with a password (RFC 1939 §7): USER, PASS and APOP.
 * AUTH (SASL) is in auth.ts.
 */
import { POP3_COMMAND_SPECS } from '../../protocols/pop3.js';
import { apopDigest, secretsEqual } from '../../sasl/mechanisms.js';
import type { Pop3Command, Pop3Context } from '../context.js';
import { err, ok } from '../reply.js';
import { maildropGreeting, replyText } from './texts.js';

const INVALID_CREDENTIALS = 'invalid user name or password';

/** Annotates that a password just crossed the wire unencrypted. */
export function warnIfCleartext(context: Pop3Context, how: string): void {
  if (context.secure) return;
  context.event({
    kind: 'annotation',
    about: 'warning',
    key: 'pop3.warning.cleartext-password',
    rfc: 'RFC 8314 §1',
    detail: `${how} sent a password without TLS: anyone on the path can read it`,
  });
}

/** Refuses a plaintext mechanism outside TLS unless the peer is allowed to use one. */
export function refusePlaintext(context: Pop3Context, what: string): boolean {
  if (context.plaintextAllowed) return false;
  context.event({ kind: 'error', code: 'PLAINTEXT_REFUSED', message: `${what} refused outside TLS` });
  const remedy = context.options.tlsAvailable ? 'use STLS first' : 'use APOP or AUTH CRAM-MD5';
  context.reply(err(`plaintext authentication (${what}) is disabled on unencrypted connections; ${remedy}`, 'AUTH'));
  return true;
}

export const USER: Pop3Command = {
  ...POP3_COMMAND_SPECS.USER,
  async handle(context, args) {
    if (refusePlaintext(context, 'USER/PASS')) return;
    const user = args.trim();
    if (user === '') {
      context.fail('BAD_ARGUMENT', err('USER needs a mailbox name'));
      return;
    }
    // RFC 1939 §13: answer the same way whether or not the mailbox exists, unless told to reveal it (lessons of §7).
    if (context.options.revealUnknownUsers && (await context.backend.secretOf(user)) === undefined) {
      context.pendingUser = undefined;
      context.fail('AUTH_FAILED', err(replyText(context, 'userUnknown', { user })));
      return;
    }
    context.pendingUser = user;
    context.reply(ok(replyText(context, 'userOk', { user })));
  },
};

export const PASS: Pop3Command = {
  ...POP3_COMMAND_SPECS.PASS,
  async handle(context, args) {
    const user = context.pendingUser;
    if (user === undefined) {
      context.fail('BAD_ARGUMENT', err('PASS must follow a successful USER command'));
      return;
    }
    context.pendingUser = undefined;
    warnIfCleartext(context, 'PASS');
    const secret = await context.backend.secretOf(user);
    // RFC 1939 §7: the argument may contain spaces; it is taken whole.
    if (secret === undefined || !secretsEqual(args, secret)) {
      context.authFailed(err(INVALID_CREDENTIALS, 'AUTH'), user, args);
      return;
    }
    if (await context.login(user, 'PASS')) context.reply(ok(maildropGreeting(context, 'passOk', user)));
  },
};

export const APOP: Pop3Command = {
  ...POP3_COMMAND_SPECS.APOP,
  async handle(context, args) {
    if (context.options.timestamp === '') {
      context.fail('UNKNOWN_COMMAND', err('APOP is not offered: the greeting carried no timestamp (RFC 1939 section 7)'));
      return;
    }
    // RFC 1939 §7: the digest is "sent in hexadecimal format, using lower-case ASCII characters"; RFC 2195 §2 says
    // the same of CRAM-MD5's, and both are held to it alike (core/sasl/mechanisms.ts): an upper-case digest is malformed.
    const match = /^(\S+) ([0-9a-f]{32})$/.exec(args);
    if (!match) {
      const upper = /^\S+ [0-9a-fA-F]{32}$/.test(args);
      context.fail('BAD_ARGUMENT', err(upper ? 'APOP digest must be 32 lowercase hex digits (RFC 1939 section 7)' : 'APOP needs a name and a 32-digit hex MD5 digest: APOP name digest'));
      return;
    }
    const [, user, digest] = match as unknown as [string, string, string];
    context.pendingUser = undefined;
    const secret = await context.backend.secretOf(user);
    if (secret === undefined || !secretsEqual(digest, apopDigest(context.options.timestamp, secret))) {
      context.authFailed(err(INVALID_CREDENTIALS, 'AUTH'), user);
      return;
    }
    if (await context.login(user, 'APOP')) context.reply(ok(maildropGreeting(context, 'apopOk', user)));
  },
};
