/** MAIL FROM (RFC 5321 §4.1.1.2) with SIZE, BODY, SMTPUTF8, AUTH and DSN parameters. */
import { SMTP_COMMAND_SPECS } from '../../protocols/smtp.js';
import { formatMailbox, parsePath } from '../address.js';
import type { BodyType } from '../backend.js';
import type { SmtpCommand, SmtpContext } from '../context.js';
import { reply } from '../reply.js';
import { parameterAccepted } from '../../protocols/smtp-extensions.js';
import { offeredKeywords } from './ehlo.js';
import { dsnCheck } from '../dsn-parameters.js';

/** Why a DSN parameter's value is not acceptable, or undefined (also for any other parameter). */
export function dsnProblem(keyword: string, value: string | true): string | undefined {
  const checked = dsnCheck(keyword)?.(value);
  return checked && !checked.ok ? checked.reason : undefined;
}

/** Reads the parameters of MAIL; replies and returns undefined on the first bad one. */
function mailParameters(context: SmtpContext, params: ReadonlyMap<string, string | true>): { size?: string; body: BodyType; smtputf8: boolean; ret?: string; envid?: string } | undefined {
  const result: { size?: string; body: BodyType; smtputf8: boolean; ret?: string; envid?: string } = { body: '7BIT', smtputf8: false };
  if (params.size > 0 && !context.extended) {
    context.fail('BAD_ARGUMENT', reply(555, '5.5.4', 'MAIL parameters need EHLO, not HELO (RFC 5321 §4.1.1.2)'));
    return undefined;
  }
  const offered = offeredKeywords(context);
  for (const [keyword, value] of params) {
    // A DSN parameter that is offered but malformed gets the reason (RFC 3461 §4.3, §4.4) with 501.
    const problem = offered.has('DSN') ? dsnProblem(keyword, value) : undefined;
    if (problem) {
      context.fail('BAD_ARGUMENT', reply(501, '5.5.4', problem));
      return undefined;
    }
    // Which parameters exist, and when, is the extension table's (core/protocols/smtp-extensions.ts).
    if (!parameterAccepted('MAIL', keyword, value, offered)) {
      context.fail('BAD_ARGUMENT', reply(555, '5.5.4', `MAIL FROM parameter ${keyword}${value === true ? '' : `=${String(value).slice(0, 20)}`} not recognized or malformed`));
      return undefined;
    }
    // size-value = 1*20DIGIT (RFC 1870 §3): up to 10^20, past what a double holds exactly; kept as digits.
    if (keyword === 'SIZE') result.size = BigInt(String(value)).toString();
    else if (keyword === 'BODY') result.body = String(value).toUpperCase() as BodyType;
    else if (keyword === 'SMTPUTF8') result.smtputf8 = true;
    // DSN's RET and ENVID go with the message, for its delivery reports (RFC 3461 §4.3, §4.4).
    else if (keyword === 'RET') result.ret = String(value).toUpperCase();
    else if (keyword === 'ENVID') result.envid = String(value);
    // AUTH= (RFC 4954 §5) is accepted and not relied upon.
  }
  return result;
}

export const MAIL: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.MAIL,
  async handle(context, args) {
    if (!/^FROM:/i.test(args)) {
      context.fail('BAD_ARGUMENT', reply(501, '5.5.4', 'Syntax: MAIL FROM:<address> [parameters]'));
      return;
    }
    const parsed = parsePath(args.slice(5), { allowNull: true, allowPostmaster: false });
    if (!parsed.ok) {
      context.fail('BAD_ARGUMENT', reply(501, '5.1.7', `Bad sender address syntax: ${parsed.reason}`));
      return;
    }
    const params = mailParameters(context, parsed.path.params);
    if (!params) return;
    if (parsed.path.international && !params.smtputf8) {
      // RFC 6531 §3.5: a MAIL refused for its non-ASCII address is 550 ("mailbox unavailable"); a RCPT, 553.
      context.fail('BAD_ARGUMENT', reply(550, '5.6.7', 'Address requires SMTPUTF8: add the SMTPUTF8 parameter (RFC 6531 §3.3, §3.5)'));
      return;
    }
    if (params.size !== undefined && BigInt(params.size) > BigInt(context.options.maxMessageSize)) {
      context.send(reply(552, '5.3.4', `Message size ${params.size} exceeds fixed maximum message size ${context.options.maxMessageSize} (RFC 1870 §6)`));
      return;
    }
    const sender = parsed.path.mailbox;
    const verdict = context.authenticatedAs !== undefined && context.backend.checkSender ? await context.backend.checkSender(sender, context.authenticatedAs) : { ok: true as const };
    if (!verdict.ok) {
      // RFC 6409 §6.1: 550 with 5.7.1 when the sender "is not authorized with the authentication used" (Postfix answers 553).
      context.event({ kind: 'error', code: 'SENDER_MISMATCH', message: `${context.authenticatedAs} may not send as <${formatMailbox(sender)}>` });
      context.send(reply(550, '5.7.1', `Sender address rejected: ${verdict.reason} (RFC 6409 §6.1)`));
      return;
    }
    context.transaction = {
      from: parsed.path.mailbox,
      body: params.body,
      smtputf8: params.smtputf8,
      // Within the limit, so a safe integer.
      ...(params.size !== undefined ? { declaredSize: Number(params.size) } : {}),
      ...(params.ret !== undefined ? { ret: params.ret } : {}),
      ...(params.envid !== undefined ? { envid: params.envid } : {}),
      recipients: [],
      rejectedRecipients: 0,
      chunkOctets: 0,
    };
    context.succeeded('MAIL');
    context.send(reply(250, '2.1.0', context.text('mailOk', { address: formatMailbox(parsed.path.mailbox) })));
  },
};
