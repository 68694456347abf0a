/**
 * TRANSACTION commands (RFC 1939 §5 and §7): STAT, LIST, RETR, DELE, NOOP,
 * RSET, TOP, UIDL, and the historic LAST (RFC 1460).
 */
import { ListingTally, pop3ListingContext, pop3ReplyContext } from '../../annotations/reply-context.js';
import { POP3_COMMAND_SPECS } from '../../protocols/pop3.js';
import type { Pop3Command, Pop3Context } from '../context.js';
import { err, ok } from '../reply.js';
import { maildropTotals, plural } from './maildrop-totals.js';
import { messageIndex, splitArgs } from './message-number.js';
import { replyText } from './texts.js';

const CRLF = Buffer.from('\r\n');
const CRLF_CRLF = Buffer.from('\r\n\r\n');

/** Reads a message, or replies -ERR [SYS/TEMP] when the store fails. */
async function readMessage(context: Pop3Context, index: number): Promise<Uint8Array | undefined> {
  try {
    return await context.transaction!.maildrop.read(index);
  } catch (error) {
    context.event({ kind: 'error', code: 'STORE_FAILED', message: (error as Error).message });
    context.reply(err(`cannot read message ${index + 1}: it may have been removed by other software`, 'SYS/TEMP'));
    return undefined;
  }
}

function noteAccess(context: Pop3Context, index: number): void {
  const transaction = context.transaction!;
  transaction.highestAccessed = Math.max(transaction.highestAccessed, index + 1);
}

/** LIST and UIDL share their shape: no argument lists all live messages, one argument one message. */
function listing(verb: string, field: (context: Pop3Context, index: number) => string, heading: (context: Pop3Context) => string): Pop3Command['handle'] {
  return (context, args) => {
    const parts = splitArgs(context, verb, args, 1);
    if (!parts) return;
    const transaction = context.transaction!;
    if (parts.length === 1) {
      const index = messageIndex(context, verb, parts[0]);
      if (index === undefined) return;
      const line = `${index + 1} ${field(context, index)}`;
      context.reply(ok(line));
      for (const event of pop3ReplyContext(`${verb} ${parts[0]}`, `+OK ${line}`)) context.event(event);
      return;
    }
    const lines: string[] = [];
    transaction.maildrop.messages.forEach((_, index) => {
      if (!transaction.deleted.has(index)) lines.push(`${index + 1} ${field(context, index)}`);
    });
    context.reply(ok(heading(context), lines));
    const tally = new ListingTally();
    for (const line of lines) tally.add(line);
    const note = pop3ListingContext(verb, tally.count, verb === 'LIST' ? tally.octets : undefined);
    if (note) context.event(note);
  };
}

function noArguments(verb: string, handle: (context: Pop3Context) => void): Pop3Command['handle'] {
  return (context, args) => {
    if (splitArgs(context, verb, args, 0)) handle(context);
  };
}

export const STAT: Pop3Command = {
  ...POP3_COMMAND_SPECS.STAT,
  handle: noArguments('STAT', (context) => {
    const { count, octets } = maildropTotals(context);
    context.reply(ok(`${count} ${octets}`));
    for (const event of pop3ReplyContext('STAT', `+OK ${count} ${octets}`)) context.event(event);
  }),
};

export const LIST: Pop3Command = {
  ...POP3_COMMAND_SPECS.LIST,
  handle: listing(
    'LIST',
    (context, index) => String(context.transaction!.maildrop.messages[index]!.size),
    (context) => {
      const { count, octets } = maildropTotals(context);
      return `${plural(count, 'message')} (${octets} octets)`;
    },
  ),
};

export const UIDL: Pop3Command = {
  ...POP3_COMMAND_SPECS.UIDL,
  handle: listing('UIDL', (context, index) => context.transaction!.maildrop.messages[index]!.uid, () => ''),
};

export const RETR: Pop3Command = {
  ...POP3_COMMAND_SPECS.RETR,
  async handle(context, args) {
    const parts = splitArgs(context, 'RETR', args, 1);
    if (!parts) return;
    const index = messageIndex(context, 'RETR', parts[0]);
    if (index === undefined) return;
    const message = await readMessage(context, index);
    if (!message) return;
    context.transaction!.retrieved.add(index);
    noteAccess(context, index);
    context.reply(ok(`${context.transaction!.maildrop.messages[index]!.size} octets`, message));
  },
};

export const TOP: Pop3Command = {
  ...POP3_COMMAND_SPECS.TOP,
  async handle(context, args) {
    const parts = splitArgs(context, 'TOP', args, 2);
    if (!parts) return;
    const index = messageIndex(context, 'TOP', parts[0]);
    if (index === undefined) return;
    const lines = parts[1];
    if (lines === undefined || !/^\d+$/.test(lines)) {
      context.fail('BAD_ARGUMENT', err(lines === undefined ? 'TOP needs a line count: TOP msg n' : `"${lines.slice(0, 20)}" is not a non-negative line count`));
      return;
    }
    const message = await readMessage(context, index);
    if (!message) return;
    context.reply(ok('', topOf(Buffer.from(message), Number(lines))));
  },
};

/** Headers, the separating blank line, then at most `lines` body lines (RFC 1939 §7). */
export function topOf(message: Buffer, lines: number): Buffer {
  const start = bodyStart(message);
  if (start === undefined) return message;
  let end = start;
  for (let taken = 0; taken < lines && end < message.length; taken++) {
    const lf = message.indexOf(0x0a, end);
    end = lf === -1 ? message.length : lf + 1;
  }
  return message.subarray(0, end);
}

/** Where the body starts: after the first empty line, which is line one when there are no headers. */
function bodyStart(message: Buffer): number | undefined {
  if (message.subarray(0, CRLF.length).equals(CRLF)) return CRLF.length;
  const blank = message.indexOf(CRLF_CRLF);
  return blank === -1 ? undefined : blank + CRLF_CRLF.length;
}

export const DELE: Pop3Command = {
  ...POP3_COMMAND_SPECS.DELE,
  handle(context, args) {
    const parts = splitArgs(context, 'DELE', args, 1);
    if (!parts) return;
    const index = messageIndex(context, 'DELE', parts[0]);
    if (index === undefined) return;
    context.transaction!.deleted.add(index);
    noteAccess(context, index);
    context.reply(ok(`message ${index + 1} deleted`));
  },
};

export const NOOP: Pop3Command = {
  ...POP3_COMMAND_SPECS.NOOP,
  handle: noArguments('NOOP', (context) => context.reply(ok(''))),
};

export const RSET: Pop3Command = {
  ...POP3_COMMAND_SPECS.RSET,
  handle: noArguments('RSET', (context) => {
    const transaction = context.transaction!;
    transaction.deleted.clear();
    // RFC 1460 §5: RSET also resets the "highest number accessed" to zero.
    // RFC 1460 §5 resets the "highest number accessed" to zero; RFC 1081 to its value at the start of the session.
    transaction.highestAccessed = context.options.lastAfterRset === 'initial' ? transaction.initialHighest : 0;
    const { count, octets } = maildropTotals(context);
    context.reply(ok(replyText(context, 'rsetOk', { count: String(count), messages: plural(count, 'message'), octets: String(octets) })));
  }),
};

export const LAST: Pop3Command = {
  ...POP3_COMMAND_SPECS.LAST,
  handle: noArguments('LAST', (context) => context.reply(ok(String(context.transaction!.highestAccessed)))),
};
