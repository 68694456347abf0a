/** AUTH (RFC 4954): SASL PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login; in no RFC), CRAM-MD5 (RFC 2195) and, where listed, OAUTHBEARER (RFC 7628), with 334 challenges, "*" to cancel. */
import { SMTP_COMMAND_SPECS } from '../../protocols/smtp.js';
import { createExchange, decodeSaslResponse, isMechanism, PLAINTEXT_MECHANISMS, type SaslStep } from '../../sasl/mechanisms.js';
import type { SmtpCommand, SmtpContext } from '../context.js';
import { reply } from '../reply.js';
import { offeredMechanisms } from './ehlo.js';

export const AUTH: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.AUTH,
  async handle(context, args) {
    const [mechanismArg, initial, ...extra] = args.split(' ').filter((part) => part !== '');
    if (!context.extended) {
      context.fail('BAD_SEQUENCE', reply(503, '5.5.1', 'AUTH needs EHLO first (RFC 4954 §4)'));
      return;
    }
    if (context.authenticatedAs) {
      context.fail('BAD_SEQUENCE', reply(503, '5.5.1', 'Already authenticated (RFC 4954 §4)'));
      return;
    }
    if (context.options.listener !== 'submission') {
      context.fail('BAD_SEQUENCE', reply(503, '5.5.1', 'AUTH is not offered on this port: use the submission port to send as a user'));
      return;
    }
    if (mechanismArg === undefined || extra.length > 0) {
      context.fail('BAD_ARGUMENT', reply(501, '5.5.4', 'Syntax: AUTH mechanism [initial-response]'));
      return;
    }
    const mechanism = mechanismArg.toUpperCase();
    // OAUTHBEARER only where the server lists it; the others are known even when TLS is still needed for them.
    if (!isMechanism(mechanism) || (mechanism === 'OAUTHBEARER' && !(context.options.persona.mechanisms ?? []).includes('OAUTHBEARER'))) {
      context.fail('BAD_ARGUMENT', reply(504, '5.5.4', `Unrecognized authentication type ${mechanism.slice(0, 20)}; offered: ${offeredMechanisms(context).join(' ')}`));
      return;
    }
    if (PLAINTEXT_MECHANISMS.has(mechanism) && !context.plaintextAllowed) {
      context.event({ kind: 'error', code: 'ENCRYPTION_REQUIRED', message: `AUTH ${mechanism} outside TLS` });
      // RFC 4954 §6 keeps 538 "for historical purposes only"; real servers answer as RFC 3207 §4 says.
      if (context.options.persona.authBeforeTls === 'encryption-required') {
        context.send(reply(538, '5.7.11', 'Encryption required for requested authentication mechanism: use STARTTLS first'));
      } else if (context.options.tlsAvailable) {
        context.send(reply(530, '5.7.0', 'Must issue a STARTTLS command first'));
      } else {
        context.send(reply(530, '5.7.0', 'Authentication needs TLS, which this connection does not offer: use the implicit-TLS port'));
      }
      return;
    }
    let initialResponse: Buffer | undefined;
    if (initial !== undefined) {
      initialResponse = decodeSaslResponse(initial);
      if (initialResponse === undefined) {
        context.fail('BAD_ARGUMENT', reply(501, '5.5.2', 'Cannot decode the initial response: not base64 (use "=" for an empty one)'));
        return;
      }
    }
    const exchange = createExchange(mechanism, context.options.challenge());
    context.sasl = exchange;
    await applyStep(context, exchange.start(initialResponse));
  },
};

/** One client line during AUTH; undefined for a line with bytes that cannot be base64. */
export async function continueAuth(context: SmtpContext, text: string | undefined): Promise<void> {
  const exchange = context.sasl!;
  if (text === '*') {
    context.sasl = undefined;
    context.event({ kind: 'error', code: 'AUTH_CANCELLED', message: 'AUTH cancelled by the client' });
    context.send(reply(501, '5.0.0', 'Authentication cancelled'));
    return;
  }
  const response = text === '' ? Buffer.alloc(0) : text === undefined ? undefined : decodeSaslResponse(text);
  if (response === undefined) {
    context.sasl = undefined;
    context.fail('BAD_ARGUMENT', reply(501, '5.5.2', 'Cannot decode response: not base64; authentication aborted'));
    return;
  }
  await applyStep(context, exchange.respond(response));
}

async function applyStep(context: SmtpContext, step: SaslStep): Promise<void> {
  const exchange = context.sasl!;
  if (step.kind === 'challenge') {
    // The decoded challenge explains the 334 line: it follows it.
    context.send(reply(334, undefined, step.data.toString('base64')));
    context.event({ kind: 'annotation', about: 'reply', key: 'smtp.sasl.challenge', rfc: 'RFC 4954 §4', detail: step.data.toString('utf8') });
    return;
  }
  context.sasl = undefined;
  if (step.kind === 'failure') {
    context.authFailed(reply(535, '5.7.8', `Authentication credentials invalid: ${step.reason}`));
    return;
  }
  if (PLAINTEXT_MECHANISMS.has(exchange.mechanism) && !context.secure) {
    context.event({
      kind: 'annotation',
      about: 'warning',
      key: 'smtp.warning.cleartext-password',
      rfc: 'RFC 8314 §1',
      detail: `AUTH ${exchange.mechanism} sent a password without TLS: base64 is an encoding, not encryption`,
    });
  }
  const secret = await context.backend.secretOf(step.user);
  if (secret === undefined || !step.verify(secret)) {
    // RFC 7628 §3.2.2: OAUTHBEARER says why in a challenge first; the 535 follows the client's answer.
    const rejection = step.reject?.();
    if (rejection?.kind === 'challenge') {
      context.sasl = exchange;
      await applyStep(context, rejection);
      return;
    }
    context.authFailed(reply(535, '5.7.8', 'Authentication credentials invalid'), step.user, step.attempt);
    return;
  }
  context.authenticated(step.user);
  context.send(reply(235, '2.7.0', 'Authentication successful'));
  context.event({ kind: 'annotation', about: 'state', key: 'smtp.auth.authenticated', rfc: 'RFC 4954 §4', detail: `authenticated as ${step.user}` });
}
