/** MAIL FROM (RFC 5321 §4.1.1.2) with SIZE, BODY, SMTPUTF8, AUTH and DSN parameters. */
import { SMTP_COMMAND_SPECS } from '../../protocols/smtp.js';
import { formatMailbox, parsePath } from '../address.js';
import type { BodyType } from '../backend.js';
import type { SmtpCommand, SmtpContext } from '../context.js';
import { reply } from '../reply.js';
import { parameterAccepted } from '../../protocols/smtp-extensions.js';
import { offeredKeywords } from './ehlo.js';

/** Reads the parameters of MAIL; replies and returns undefined on the first bad one. */
function mailParameters(context: SmtpContext, params: ReadonlyMap<string, string | true>): { size?: string; body: BodyType; smtputf8: boolean } | undefined {
  const result: { size?: string; body: BodyType; smtputf8: boolean } = { body: '7BIT', smtputf8: false };
  if (params.size > 0 && !context.extended) {
    context.fail('BAD_ARGUMENT', reply(555, '5.5.4', 'MAIL parameters need EHLO, not HELO (RFC 5321 §4.1.1.2)'));
    return undefined;
  }
  const offered = offeredKeywords(context);
  for (const [keyword, value] of params) {
    // Which parameters exist, and when, is the extension table's (core/protocols/smtp-extensions.ts).
    if (!parameterAccepted('MAIL', keyword, value, offered)) {
      context.fail('BAD_ARGUMENT', reply(555, '5.5.4', `MAIL FROM parameter ${keyword}${value === true ? '' : `=${String(value).slice(0, 20)}`} not recognized or malformed`));
      return undefined;
    }
    // size-value = 1*20DIGIT (RFC 1870 §3): up to 10^20, past what a double holds exactly; kept as digits.
    if (keyword === 'SIZE') result.size = BigInt(String(value)).toString();
    else if (keyword === 'BODY') result.body = String(value).toUpperCase() as BodyType;
    else if (keyword === 'SMTPUTF8') result.smtputf8 = true;
    // AUTH= (RFC 4954 §5) and DSN's RET/ENVID (RFC 3461 §4.3, §4.4) are accepted and not relied upon.
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
      context.fail('BAD_ARGUMENT', reply(553, '5.6.7', 'Address requires SMTPUTF8: add the SMTPUTF8 parameter (RFC 6531 §3.3)'));
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
      recipients: [],
      rejectedRecipients: 0,
      chunkOctets: 0,
    };
    context.succeeded('MAIL');
    context.send(reply(250, '2.1.0', context.text('mailOk', { address: formatMailbox(parsed.path.mailbox) })));
  },
};
