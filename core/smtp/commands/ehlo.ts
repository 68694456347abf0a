/** EHLO and HELO (RFC 5321 §4.1.1.1), and the extension list EHLO advertises. */
import { SMTP_COMMAND_SPECS } from '../../protocols/smtp.js';
import { smtpKeywordAnnotations } from '../../annotations/annotate.js';
import { SMTP_EXTENSIONS, type OfferContext } from '../../protocols/smtp-extensions.js';
import { allowedMechanisms } from '../../sasl/mechanisms.js';
import type { SmtpCommand, SmtpContext } from '../context.js';
import { reply } from '../reply.js';

/**
 * The mechanisms AUTH offers now: none on the MTA port; on submission, the
 * policy both listeners share (`allowedMechanisms`): plaintext ones only where
 * passwords may travel in the clear, CRAM-MD5 always.
 */
export function offeredMechanisms(context: SmtpContext): string[] {
  if (context.options.listener !== 'submission') return [];
  return allowedMechanisms(context.plaintextAllowed, context.options.persona.mechanisms);
}

/** The EHLO keywords this session really supports, in its current security state (core/protocols/smtp-extensions.ts). */
export function computeExtensions(context: SmtpContext): string[] {
  const offer: OfferContext = {
    secure: context.secure,
    tlsAvailable: context.options.tlsAvailable,
    enhancedStatusCodes: context.options.persona.enhancedStatusCodes,
    authenticated: context.authenticatedAs !== undefined,
    maxMessageSize: context.options.maxMessageSize,
    mechanisms: offeredMechanisms(context),
  };
  const allowed = context.options.persona.extensions;
  return SMTP_EXTENSIONS.filter((extension) => !allowed || allowed.includes(extension.keyword))
    .map((extension) => extension.offer(offer))
    .filter((line): line is string => line !== undefined);
}

/** The keywords (first words, upper case) of the extensions this session offers now. */
export function offeredKeywords(context: SmtpContext): Set<string> {
  return new Set(context.extensions().map((line) => line.split(' ')[0]!.toUpperCase()));
}

/** The domain argument of EHLO/HELO: a domain or an address literal (RFC 5321 §4.1.1.1). */
function clientDomain(context: SmtpContext, verb: string, args: string): string | undefined {
  const name = args.trim();
  if (name === '' || /\s/.test(name)) {
    context.fail('BAD_ARGUMENT', reply(501, '5.5.4', `Syntax: ${verb} your-domain-or-[address]`));
    return undefined;
  }
  // The name goes into the Received line: a domain or an address literal, nothing else (RFC 5321 §4.1.1.1).
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(name) && !/^\[(IPv6:)?[0-9A-Fa-f:.]+\]$/.test(name)) {
    context.fail('BAD_ARGUMENT', reply(501, '5.5.2', `Invalid ${verb} argument: expected a domain name or an address literal like [192.0.2.1]`));
    return undefined;
  }
  return name;
}

export const EHLO: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.EHLO,
  handle(context, args) {
    const name = clientDomain(context, 'EHLO', args);
    if (name === undefined) return;
    context.greeted(name, true);
    const first = context.text('ehlo', { client: name });
    const keywords = context.extensions();
    context.send(reply(250, undefined, first, ...keywords));
    for (const event of smtpKeywordAnnotations(keywords)) context.event(event);
  },
};

export const HELO: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.HELO,
  handle(context, args) {
    const name = clientDomain(context, 'HELO', args);
    if (name === undefined) return;
    context.greeted(name, false);
    const text = context.text('helo', { client: name });
    context.send(reply(250, undefined, text));
  },
};
