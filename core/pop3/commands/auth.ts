/**
 * AUTH (RFC 5034): SASL PLAIN, LOGIN and CRAM-MD5, with an initial response,
 * "=" for an empty one and "*" to cancel.
 */
import { POP3_COMMAND_SPECS } from '../../protocols/pop3.js';
import { allowedMechanisms, createExchange, decodeSaslResponse, isMechanism, MECHANISMS, PLAINTEXT_MECHANISMS, type SaslStep } from '../../sasl/mechanisms.js';
import type { Pop3Command, Pop3Context } from '../context.js';
import { err, ok } from '../reply.js';
import { refusePlaintext, warnIfCleartext } from './authorization.js';
import { maildropGreeting } from './texts.js';

/** The mechanisms this session may offer now: the policy both listeners share (`allowedMechanisms`). */
export function offeredMechanisms(context: Pop3Context): string[] {
  return allowedMechanisms(context.plaintextAllowed);
}

export const AUTH: Pop3Command = {
  ...POP3_COMMAND_SPECS.AUTH,
  async handle(context, args) {
    const [mechanismArg, initial, ...extra] = args === '' ? [] : args.split(' ');
    if (mechanismArg === undefined) {
      // Without arguments: list the mechanisms (RFC 1734 clients still ask this way).
      context.reply(ok('SASL mechanisms follow', offeredMechanisms(context)));
      return;
    }
    const mechanism = mechanismArg.toUpperCase();
    if (extra.length > 0) {
      context.fail('BAD_ARGUMENT', err('AUTH takes a mechanism and at most one initial response'));
      return;
    }
    // OAUTHBEARER (RFC 7628) is offered only by SMTP servers that list it; the POP3 lab lists none.
    if (!isMechanism(mechanism) || !(MECHANISMS as readonly string[]).includes(mechanism)) {
      context.fail('BAD_ARGUMENT', err(`unsupported SASL mechanism "${mechanism.slice(0, 20)}"; offered: ${offeredMechanisms(context).join(' ')}`));
      return;
    }
    if (PLAINTEXT_MECHANISMS.has(mechanism) && refusePlaintext(context, `AUTH ${mechanism}`)) return;
    let initialResponse: Buffer | undefined;
    if (initial !== undefined) {
      initialResponse = decodeSaslResponse(initial);
      if (initialResponse === undefined) {
        context.fail('BAD_ARGUMENT', err('initial response is not valid base64 (use "=" for an empty one)'));
        return;
      }
    }
    context.pendingUser = undefined;
    const exchange = createExchange(mechanism, context.options.challenge());
    context.sasl = exchange;
    await applyStep(context, exchange.start(initialResponse));
  },
};

/** One client line during a SASL exchange; `undefined` for a line with bytes that cannot be base64. */
export async function continueSasl(context: Pop3Context, text: string | undefined): Promise<void> {
  const exchange = context.sasl!;
  if (text === '*') {
    context.sasl = undefined;
    context.event({ kind: 'error', code: 'AUTH_CANCELLED', message: 'AUTH cancelled by the client' });
    context.reply(err('AUTH cancelled by client'));
    return;
  }
  const response = text === '' ? Buffer.alloc(0) : text === undefined ? undefined : decodeSaslResponse(text);
  if (response === undefined) {
    context.sasl = undefined;
    context.fail('BAD_ARGUMENT', err('SASL response is not valid base64; authentication aborted'));
    return;
  }
  await applyStep(context, exchange.respond(response));
}

async function applyStep(context: Pop3Context, step: SaslStep): Promise<void> {
  const exchange = context.sasl!;
  if (step.kind === 'challenge') {
    // The decoded challenge explains the "+ " line: it follows it.
    context.reply({ kind: 'continue', challenge: step.data.toString('base64') });
    context.event({ kind: 'annotation', about: 'reply', key: 'pop3.sasl.challenge', rfc: 'RFC 5034 §4', detail: step.data.toString('utf8') });
    return;
  }
  context.sasl = undefined;
  if (step.kind === 'failure') {
    context.authFailed(err(step.reason, 'AUTH'));
    return;
  }
  if (PLAINTEXT_MECHANISMS.has(exchange.mechanism)) warnIfCleartext(context, `AUTH ${exchange.mechanism}`);
  const secret = await context.backend.secretOf(step.user);
  if (secret === undefined || !step.verify(secret)) {
    context.authFailed(err('authentication failed', 'AUTH'), step.user, step.attempt);
    return;
  }
  if (await context.login(step.user, `AUTH ${exchange.mechanism}`)) context.reply(ok(maildropGreeting(context, 'authOk', step.user)));
}
