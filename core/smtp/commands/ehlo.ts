/** EHLO and HELO (RFC 5321 §4.1.1.1), and the extension list EHLO advertises. */
import { MECHANISMS, PLAINTEXT_MECHANISMS } from '../../sasl/mechanisms.js';
import type { SmtpCommand, SmtpContext } from '../context.js';
import { reply } from '../reply.js';

/** The mechanisms AUTH offers now, or none (MTA port; plaintext-only before TLS is still CRAM-MD5). */
export function offeredMechanisms(context: SmtpContext): string[] {
  if (context.options.listener !== 'submission') return [];
  return MECHANISMS.filter((name) => context.plaintextAllowed || !PLAINTEXT_MECHANISMS.has(name));
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
  return name;
}

export const EHLO: SmtpCommand = {
  name: 'EHLO',
  syntax: 'EHLO domain',
  summary: 'identifies the client and asks for extended SMTP: the reply lists the extensions',
  rfc: 'RFC 5321 §4.1.1.1',
  states: ['INIT', 'READY', 'MAIL', 'RCPT'],
  handle(context, args) {
    const name = clientDomain(context, 'EHLO', args);
    if (name === undefined) return;
    context.greeted(name, true);
    const first = context.text('ehlo', { client: name });
    context.send(reply(250, undefined, first, ...context.extensions()));
  },
};

export const HELO: SmtpCommand = {
  name: 'HELO',
  syntax: 'HELO domain',
  summary: 'identifies the client for plain SMTP, without extensions',
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
