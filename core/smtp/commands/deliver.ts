/** Hands a complete message to the backend, durably, then answers 250 (RFC 5321 §4.1.1.4, §6.1). */
import { isAscii } from 'node:buffer';
import type { SmtpContext } from '../context.js';
import { reply } from '../reply.js';
import type { SmtpTransitionCause } from '../../protocols/smtp.js';
import { receivedHeader, withProtocol } from '../trace.js';

export async function deliverTransaction(context: SmtpContext, message: Buffer, cause: SmtpTransitionCause): Promise<void> {
  const transaction = context.transaction!;
  context.transaction = undefined;
  if (transaction.body === '7BIT' && !isAscii(message)) {
    context.event({ kind: 'annotation', about: 'warning', key: 'smtp.warning.8bit-without-8bitmime', rfc: 'RFC 6152 §3', detail: 'the message has 8-bit bytes but MAIL did not say BODY=8BITMIME' });
  }
  const id = context.options.nextId();
  const trace = receivedHeader({
    heloName: context.clientName ?? 'unknown',
    remoteAddress: context.options.remoteAddress,
    byHost: context.options.persona.hostname,
    protocol: withProtocol({ extended: context.extended === true, secure: context.secure, authenticated: context.authenticatedAs !== undefined, smtputf8: transaction.smtputf8 }),
    ...(context.authenticatedAs !== undefined ? { authenticatedAs: context.authenticatedAs } : {}),
    id,
    recipients: transaction.recipients.map((recipient) => recipient.mailbox),
    date: context.options.now(),
  });
  let failed: readonly { address: string; reason: string }[] = [];
  try {
    ({ failed = [] } = await context.backend.deliver(
      {
        from: transaction.from,
        recipients: transaction.recipients,
        body: transaction.body,
        smtputf8: transaction.smtputf8,
        ...(transaction.ret !== undefined ? { ret: transaction.ret } : {}),
        ...(transaction.envid !== undefined ? { envid: transaction.envid } : {}),
        ...(context.authenticatedAs ? { authenticatedAs: context.authenticatedAs } : {}),
      },
      message,
      // UTF-8: under SMTPUTF8 the "for" address may be non-ASCII (RFC 6531 §3.7.3); otherwise it is ASCII anyway.
      Buffer.from(trace, 'utf8'),
    ));
  } catch (error) {
    context.event({ kind: 'error', code: 'DELIVERY_FAILED', message: (error as Error).message });
    context.transition('data-rejected', 'the message could not be stored; the client should try again later');
    context.send(reply(451, '4.3.0', 'Requested action aborted: local error in processing; nothing was stored, try again later'));
    return;
  }
  context.transition(cause);
  if (failed.length > 0) {
    // Stored for some recipients and not for others: accepted (a retry would duplicate it), and the failures named here and in a bounce.
    context.event({ kind: 'error', code: 'DELIVERY_FAILED', message: `not stored for ${failed.map((f) => `<${f.address}>`).join(', ')}` });
    const names = failed.map((f) => `<${f.address}>`).join(', ');
    context.send(reply(250, context.options.persona.dataOkEnhancedCode ?? '2.0.0', `${context.text('dataOk', { id })}; but not delivered to ${names}: ${failed[0]!.reason}; the sender gets a delivery status notification`));
    return;
  }
  context.send(reply(250, context.options.persona.dataOkEnhancedCode ?? '2.0.0', context.text('dataOk', { id })));
}
