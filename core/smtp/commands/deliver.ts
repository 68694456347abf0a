/** Hands a complete message to the backend, durably, then answers 250 (RFC 5321 §4.1.1.4, §6.1). */
import { isAscii } from 'node:buffer';
import type { SmtpContext } from '../context.js';
import { reply } from '../reply.js';
import type { SmtpTransitionCause } from '../states.js';
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
    id,
    recipients: transaction.recipients.map((recipient) => recipient.mailbox),
    date: context.options.now(),
  });
  try {
    await context.backend.deliver(
      {
        from: transaction.from,
        recipients: transaction.recipients,
        body: transaction.body,
        smtputf8: transaction.smtputf8,
        ...(context.authenticatedAs ? { authenticatedAs: context.authenticatedAs } : {}),
      },
      // UTF-8: under SMTPUTF8 the "for" address may be non-ASCII (RFC 6531 §3.7.3); otherwise it is ASCII anyway.
      Buffer.concat([Buffer.from(trace, 'utf8'), message]),
    );
  } catch (error) {
    context.event({ kind: 'error', code: 'DELIVERY_FAILED', message: (error as Error).message });
    context.transition('data-rejected', 'the message could not be stored; the client should try again later');
    context.send(reply(451, '4.3.0', 'Requested action aborted: local error in processing; nothing was stored, try again later'));
    return;
  }
  context.transition(cause);
  context.send(reply(250, '2.0.0', context.text('dataOk', { id })));
}
