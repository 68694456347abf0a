/** BDAT (RFC 3030 §2, CHUNKING): the message in chunks of announced size; no dot-stuffing. */
import { refuseOverBudget } from './data.js';
import { SMTP_COMMAND_SPECS } from '../../protocols/smtp.js';
import type { SmtpCommand, SmtpContext } from '../context.js';
import { reply } from '../reply.js';
import { refusal } from './data.js';
import { deliverTransaction } from './deliver.js';

export const BDAT: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.BDAT,
  // Accepted in any open state: even a refused BDAT must have its octets read, or they would be taken as commands.
  states: ['INIT', 'READY', 'MAIL', 'RCPT', 'BDAT'],
  handle(context, args) {
    const match = /^(\d{1,15})(?: (LAST))?$/i.exec(args);
    if (!match) {
      context.fail('BAD_ARGUMENT', reply(501, '5.5.4', 'Syntax: BDAT chunk-size [LAST]'));
      return;
    }
    const size = Number(match[1]);
    const last = match[2] !== undefined;
    const refuse = sequenceProblem(context);
    context.pendingChunk = refuse ? { size, last, refuse } : { size, last };
  },
};

function sequenceProblem(context: SmtpContext) {
  if (context.state === 'INIT') return reply(503, '5.5.1', 'Send EHLO first; the chunk was discarded');
  if (!context.extended) return reply(503, '5.5.1', 'BDAT is the CHUNKING extension: say EHLO, not HELO; the chunk was discarded');
  const transaction = context.transaction;
  if (!transaction) return reply(503, '5.5.1', 'Need MAIL and RCPT before BDAT; the chunk was discarded');
  if (transaction.recipients.length === 0) return reply(503, '5.5.1', 'Need RCPT before BDAT; the chunk was discarded');
  return undefined;
}

export async function finishChunk(context: SmtpContext, chunk: { bytes: Buffer | undefined; octets: number; overBudget?: true }): Promise<void> {
  const pending = context.pendingChunk!;
  context.pendingChunk = undefined;
  if (pending.refuse) {
    context.fail('BAD_SEQUENCE', pending.refuse);
    return;
  }
  const transaction = context.transaction!;
  const first = transaction.chunks === undefined;
  transaction.chunks ??= [];
  transaction.chunkOctets += chunk.octets;
  if (chunk.overBudget) {
    context.transaction = undefined;
    context.transition('bdat-failed');
    refuseOverBudget(context);
    return;
  }
  if (!chunk.bytes || transaction.chunkOctets > context.options.maxMessageSize) {
    context.transaction = undefined;
    context.transition('bdat-failed');
    context.fail('MESSAGE_TOO_BIG', reply(552, '5.3.4', `Message exceeds fixed maximum message size of ${context.options.maxMessageSize} octets; the transaction is abandoned`));
    return;
  }
  transaction.chunks.push(chunk.bytes);
  if (first) context.transition('bdat');
  if (!pending.last) {
    context.send(reply(250, '2.0.0', `${chunk.octets} octets received`));
    return;
  }
  const message = Buffer.concat(transaction.chunks);
  // BDAT carries raw octets, but a text message stored in a Maildir must still be CRLF lines.
  const refused = refusal(lineProblems(message), context.options.maxMessageSize);
  if (refused) {
    context.transaction = undefined;
    context.transition('bdat-failed');
    context.fail(refused.code, refused.reply);
    return;
  }
  await deliverTransaction(context, message, 'bdat-last');
}

function lineProblems(message: Buffer): ('bare-lf' | 'bare-cr' | 'nul')[] {
  const problems = new Set<'bare-lf' | 'bare-cr' | 'nul'>();
  for (let i = 0; i < message.length; i++) {
    const byte = message[i];
    if (byte === 0x0a && (i === 0 || message[i - 1] !== 0x0d)) problems.add('bare-lf');
    if (byte === 0x0d && message[i + 1] !== 0x0a) problems.add('bare-cr');
    if (byte === 0) problems.add('nul');
  }
  return [...problems];
}
