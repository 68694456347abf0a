/** DATA (RFC 5321 §4.1.1.4): 354, then the message up to <CRLF>.<CRLF>, then 250 once stored. */
import { SMTP_COMMAND_SPECS } from '../../protocols/smtp.js';
import type { SmtpCommand, SmtpContext } from '../context.js';
import { reply, type SmtpReply } from '../reply.js';
import type { DataProblem } from '../../framing/input-framer.js';
import { deliverTransaction } from './deliver.js';

export const DATA: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.DATA,
  handle(context, args) {
    if (args !== '') {
      context.fail('BAD_ARGUMENT', reply(501, '5.5.4', 'DATA takes no parameters'));
      return;
    }
    const transaction = context.transaction!;
    const acceptAnyway = transaction.rejectedRecipients > 0 && context.options.persona.acceptDataWithoutRecipients === true;
    if (transaction.recipients.length === 0 && !acceptAnyway) {
      // RFC 5321 §3.3: 503 when no RCPT was given, 554 when all were refused.
      if (transaction.rejectedRecipients > 0) context.fail('BAD_SEQUENCE', reply(554, '5.5.1', context.text('noValidRecipients')));
      else context.fail('BAD_SEQUENCE', reply(503, '5.5.1', 'Need RCPT before DATA'));
      return;
    }
    context.transition('data');
    context.send(reply(354, undefined, context.text('dataStart')));
  },
};

/** Why a received message is refused, most serious first; undefined when it is fine. */
export function refusal(problems: readonly DataProblem[], maxSize: number): { code: 'MESSAGE_TOO_BIG' | 'SMUGGLING' | 'MESSAGE_REJECTED'; reply: SmtpReply } | undefined {
  if (problems.includes('too-big')) {
    return { code: 'MESSAGE_TOO_BIG', reply: reply(552, '5.3.4', `Message exceeds fixed maximum message size of ${maxSize} octets (RFC 1870 §6); nothing was stored`) };
  }
  if (problems.includes('bare-lf') || problems.includes('bare-cr')) {
    const which = problems.includes('bare-lf') && problems.includes('bare-cr') ? 'bare LF and bare CR' : problems.includes('bare-lf') ? 'a bare LF' : 'a bare CR';
    return {
      code: 'SMUGGLING',
      reply: reply(550, '5.6.0', `Message refused: it contains ${which}; lines must end with CRLF (RFC 5321 §2.3.8, SMTP smuggling protection); nothing was stored`),
    };
  }
  if (problems.includes('line-too-long')) {
    return { code: 'MESSAGE_REJECTED', reply: reply(500, '5.5.2', 'Line too long: text lines are limited to 1000 octets including CRLF (RFC 5321 §4.5.3.1.6); nothing was stored') };
  }
  if (problems.includes('nul')) {
    return { code: 'MESSAGE_REJECTED', reply: reply(554, '5.6.0', 'Message refused: it contains a NUL byte; nothing was stored') };
  }
  return undefined;
}

/** RFC 3463 §3.4: 4.3.1 "mail system full": too many messages are being received at once; retry later. */
export function overBudgetReply(): SmtpReply {
  return reply(452, '4.3.1', 'Insufficient system storage: too many messages in flight; try again later; nothing was stored');
}

/** The server's state, not the client's fault: answered and shown, but not counted as a bad command. */
export function refuseOverBudget(context: SmtpContext): void {
  context.event({ kind: 'error', code: 'STORE_FAILED', message: 'the budget for message bytes in flight is spent; the message was dropped' });
  context.send(overBudgetReply());
}

export async function finishData(context: SmtpContext, data: { message: Buffer | undefined; problems: readonly DataProblem[] }): Promise<void> {
  if (context.transaction!.recipients.length === 0) {
    // A persona that took DATA without a valid recipient refuses the message now (RFC 2920 §4, fourth example).
    context.transaction = undefined;
    context.transition('data-rejected');
    context.fail('BAD_SEQUENCE', reply(554, '5.5.1', context.text('noValidRecipients')));
    return;
  }
  if (data.problems.includes('over-budget')) {
    context.transaction = undefined;
    context.transition('data-rejected');
    refuseOverBudget(context);
    return;
  }
  const refused = refusal(data.problems, context.options.maxMessageSize);
  if (refused || !data.message) {
    const why = refused ?? { code: 'MESSAGE_REJECTED' as const, reply: reply(554, '5.6.0', 'Message refused') };
    context.transaction = undefined;
    context.transition('data-rejected');
    context.fail(why.code, why.reply);
    return;
  }
  await deliverTransaction(context, data.message, 'data-end');
}
