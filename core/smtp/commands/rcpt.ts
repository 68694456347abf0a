/** RCPT TO (RFC 5321 §4.1.1.3): local users, relay policy, the recipient cap. */
import { SMTP_COMMAND_SPECS } from '../../protocols/smtp.js';
import { formatMailbox, parsePath } from '../address.js';
import type { SmtpCommand } from '../context.js';
import { reply } from '../reply.js';
import { parameterAccepted } from '../../protocols/smtp-extensions.js';
import { offeredKeywords } from './ehlo.js';
import { dsnProblem } from './mail.js';

export const RCPT: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.RCPT,
  async handle(context, args) {
    const transaction = context.transaction!;
    if (!/^TO:/i.test(args)) {
      context.fail('BAD_ARGUMENT', reply(501, '5.5.4', 'Syntax: RCPT TO:<address> [parameters]'));
      return;
    }
    const parsed = parsePath(args.slice(3), { allowNull: false, allowPostmaster: true });
    if (!parsed.ok) {
      context.fail('BAD_ARGUMENT', reply(501, '5.1.3', `Bad recipient address syntax: ${parsed.reason}`));
      return;
    }
    const offered = offeredKeywords(context);
    let notify: string | undefined;
    let orcpt: string | undefined;
    for (const [keyword, value] of parsed.path.params) {
      // A DSN parameter that is offered but malformed gets the reason (RFC 3461 §4.1, §4.2) with 501.
      const problem = offered.has('DSN') ? dsnProblem(keyword, value) : undefined;
      if (problem) {
        context.fail('BAD_ARGUMENT', reply(501, '5.5.4', problem));
        return;
      }
      // Which parameters exist, and when, is the extension table's (core/protocols/smtp-extensions.ts).
      if (!parameterAccepted('RCPT', keyword, value, offered)) {
        context.fail('BAD_ARGUMENT', reply(555, '5.5.4', `RCPT TO parameter ${keyword} not recognized or malformed`));
        return;
      }
      if (keyword === 'NOTIFY') notify = String(value);
      else if (keyword === 'ORCPT') orcpt = String(value);
    }
    if (parsed.path.international && !transaction.smtputf8) {
      context.fail('BAD_ARGUMENT', reply(553, '5.6.7', 'Address requires SMTPUTF8: MAIL FROM must carry the SMTPUTF8 parameter (RFC 6531 §3.3)'));
      return;
    }
    const mailbox = parsed.path.mailbox!;
    const address = formatMailbox(mailbox);
    if (transaction.recipients.length >= context.options.maxRecipients) {
      context.event({ kind: 'error', code: 'TOO_MANY_RECIPIENTS', message: `limit ${context.options.maxRecipients}` });
      context.send(reply(452, '4.5.3', `Too many recipients: at most ${context.options.maxRecipients} per message; send the rest in another transaction (RFC 5321 §4.5.3.1.10)`));
      return;
    }
    const verdict = await context.backend.checkRecipient(mailbox, context.authenticatedAs);
    // A refused recipient is normal in SMTP (a typo, a moved user): it is answered, but not counted as a
    // bad command, so a message with a few wrong addresses never ends the session (Dovecot and Postfix alike).
    if (verdict.kind === 'unknown-user') {
      transaction.rejectedRecipients++;
      context.event({ kind: 'error', code: 'UNKNOWN_USER', message: `no user ${address}` });
      context.send(reply(550, '5.1.1', context.text('rcptUnknown', { address })));
      return;
    }
    if (verdict.kind === 'relay-denied') {
      transaction.rejectedRecipients++;
      context.event({ kind: 'error', code: 'RELAY_DENIED', message: verdict.reason ?? `relaying to ${mailbox.domain} refused` });
      // RFC 5321 §3.6.2: a refusal to relay for policy reasons SHOULD be 550; 5.7.1 is "delivery not authorized" (RFC 3463).
      const text = verdict.reason !== undefined ? `Relay access denied: <${address}>: ${verdict.reason}` : context.text('relayDenied', { address, domain: mailbox.domain });
      context.send(reply(550, '5.7.1', text));
      return;
    }
    transaction.recipients.push({
      mailbox,
      route: verdict.kind === 'local' ? { kind: 'local', user: verdict.user } : { kind: 'relay' },
      ...(notify ? { notify } : {}),
      ...(orcpt ? { orcpt } : {}),
    });
    context.succeeded('RCPT');
    context.send(reply(250, '2.1.5', context.text('rcptOk', { address })));
  },
};
