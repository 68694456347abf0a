/** EHLO and HELO (RFC 5321 §4.1.1.1), and the extension list EHLO advertises. */
import { smtpKeywordAnnotations } from '../../annotations/annotate.js';
import { allowedMechanisms } from '../../sasl/mechanisms.js';
import type { SmtpCommand, SmtpContext } from '../context.js';
import { reply } from '../reply.js';
import { commandSummary } from '../../annotations/messages.js';

/**
 * The mechanisms AUTH offers now: none on the MTA port; on submission, the
 * policy both listeners share (`allowedMechanisms`): plaintext ones only where
 * passwords may travel in the clear, CRAM-MD5 always.
 */
export function offeredMechanisms(context: SmtpContext): string[] {
  if (context.options.listener !== 'submission') return [];
  return allowedMechanisms(context.plaintextAllowed);
}

/** The EHLO keywords this session really supports, in its current security state. */
export function computeExtensions(context: SmtpContext): string[] {
  const keywords = ['PIPELINING', `SIZE ${context.options.maxMessageSize}`, '8BITMIME', 'SMTPUTF8', 'CHUNKING'];
  if (context.options.persona.enhancedStatusCodes) keywords.push('ENHANCEDSTATUSCODES');
  if (!context.secure && context.options.tlsAvailable) keywords.push('STARTTLS');
  const mechanisms = offeredMechanisms(context);
  if (mechanisms.length > 0 && !context.authenticatedAs) keywords.push(`AUTH ${mechanisms.join(' ')}`);
  keywords.push('HELP');
  return keywords;
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
  name: 'EHLO',
  syntax: 'EHLO domain',
  summary: commandSummary('smtp', 'EHLO'),
  rfc: 'RFC 5321 §4.1.1.1',
  states: ['INIT', 'READY', 'MAIL', 'RCPT'],
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
  name: 'HELO',
  syntax: 'HELO domain',
  summary: commandSummary('smtp', 'HELO'),
  rfc: 'RFC 5321 §4.1.1.1',
  states: ['INIT', 'READY', 'MAIL', 'RCPT'],
  handle(context, args) {
    const name = clientDomain(context, 'HELO', args);
    if (name === undefined) return;
    context.greeted(name, false);
    const text = context.text('helo', { client: name });
    context.send(reply(250, undefined, text));
  },
};
