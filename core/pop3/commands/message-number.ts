/**
 * The shared message-number argument helper (after Dovecot's get_msgnum): one
 * specific -ERR for each way an argument can be wrong.
 */
import { pop3ReplyContext } from '../../annotations/reply-context.js';
import type { Pop3Context } from '../context.js';
import { err } from '../reply.js';
import { plural } from './maildrop-totals.js';
import { replyText } from './texts.js';

/**
 * Parses a message number (RFC 1939 §5: "msg") and checks it against the
 * maildrop. Returns the zero-based index, or undefined after replying -ERR.
 */
export function messageIndex(context: Pop3Context, verb: string, arg: string | undefined): number | undefined {
  const transaction = context.transaction!;
  if (arg === undefined || arg === '') {
    context.fail('BAD_ARGUMENT', err(`${verb} needs a message number`));
    return undefined;
  }
  if (!/^\d+$/.test(arg)) {
    context.fail('BAD_ARGUMENT', err(`"${arg.slice(0, 20)}" is not a message number`));
    return undefined;
  }
  const count = transaction.maildrop.messages.length;
  const number = Number(arg);
  if (number < 1 || number > count) {
    context.reply(err(replyText(context, 'noSuchMessage', { count: String(count), messages: plural(count, 'message') })));
    return undefined;
  }
  if (transaction.deleted.has(number - 1)) {
    const line = `message ${number} already deleted`;
    context.reply(err(line));
    // The engine knows why: DELE marked it in this session (the tracker infers the same from the DELE it saw accepted).
    for (const event of pop3ReplyContext(`${verb} ${arg}`, `-ERR ${line}`, { markedDeleted: () => true })) context.event(event);
    return undefined;
  }
  return number - 1;
}

/** Splits arguments on single spaces; reports extra ones ("noise after message number"). */
export function splitArgs(context: Pop3Context, verb: string, args: string, max: number): string[] | undefined {
  // RFC 1939 §3 asks for single spaces; extra ones are forgiven rather than misread as noise.
  const parts = args.trim() === '' ? [] : args.trim().split(/ +/);
  if (parts.length > max) {
    context.fail('BAD_ARGUMENT', err(`noise after ${verb} arguments: "${parts.slice(max).join(' ').slice(0, 20)}"`));
    return undefined;
  }
  return parts;
}
