/**
 * Commands valid across states: CAPA (RFC 2449), STLS (RFC 2595) and QUIT
 * (RFC 1939 §4 and §6).
 */
import { POP3_COMMAND_SPECS } from '../../protocols/pop3.js';
import { offeredCapabilities } from '../../protocols/pop3-capabilities.js';
import { pop3CapaAnnotations } from '../../annotations/annotate.js';
import type { Pop3Command, Pop3Context } from '../context.js';
import { err, ok } from '../reply.js';
import { plural } from './maildrop-totals.js';
import { offeredMechanisms } from './auth.js';
import { replyText } from './texts.js';

/** The capabilities this session really has, in its current state and security (RFC 2449 §5). */
export function capabilities(context: Pop3Context): string[] {
  const { options } = context;
  if (context.secure && options.tlsCapabilities) return [...options.tlsCapabilities];
  // A fixed list is what the server says in its current security: STLS is no longer offered under TLS (RFC 2595 §4).
  if (options.capabilities) return options.capabilities.filter((tag) => !context.secure || tag.toUpperCase() !== 'STLS');
  // What the lab lists otherwise is the table's (core/protocols/pop3-capabilities.ts).
  return offeredCapabilities({
    state: context.state,
    secure: context.secure,
    tlsAvailable: options.tlsAvailable,
    plaintextAllowed: context.plaintextAllowed,
    responseCodes: options.responseCodes !== false,
    mechanisms: offeredMechanisms(context),
    loginDelaySeconds: options.loginDelaySeconds,
    expire: options.expire,
    serverName: options.serverName,
  });
}

export const CAPA: Pop3Command = {
  ...POP3_COMMAND_SPECS.CAPA,
  handle(context, args) {
    if (args !== '') {
      context.fail('BAD_ARGUMENT', err('CAPA takes no arguments'));
      return;
    }
    const tags = capabilities(context);
    context.reply(ok(replyText(context, 'capaHeading'), tags));
    for (const event of pop3CapaAnnotations(tags)) context.event(event);
  },
};

export const STLS: Pop3Command = {
  ...POP3_COMMAND_SPECS.STLS,
  handle(context, args) {
    if (args !== '') {
      context.fail('BAD_ARGUMENT', err('STLS takes no arguments'));
      return;
    }
    if (context.secure) {
      context.reply(err('Command not permitted when TLS active'));
      return;
    }
    if (!context.options.tlsAvailable) {
      context.reply(err('STLS is not available: this server has no TLS certificate'));
      return;
    }
    context.pendingUser = undefined;
    context.reply(ok(replyText(context, 'stls')));
    context.startTls();
  },
};

export const QUIT: Pop3Command = {
  ...POP3_COMMAND_SPECS.QUIT,
  async handle(context, args) {
    if (args !== '') {
      context.fail('BAD_ARGUMENT', err('QUIT takes no arguments'));
      return;
    }
    const transaction = context.transaction;
    if (!transaction) {
      context.succeeded('QUIT');
      context.reply(ok(replyText(context, 'signOff')));
      context.close();
      return;
    }
    context.succeeded('QUIT');
    const deleted = [...transaction.deleted];
    const seen = [...transaction.retrieved].filter((index) => !transaction.deleted.has(index));
    let failed: readonly number[] = [];
    // What is really in the maildrop afterwards (mail may have arrived meanwhile); the snapshot's count if the store failed.
    let left = transaction.maildrop.messages.length;
    try {
      const result = await transaction.maildrop.update({ deleted, seen });
      failed = result.failed;
      left = result.remaining;
    } catch (error) {
      context.event({ kind: 'error', code: 'STORE_FAILED', message: (error as Error).message });
      failed = deleted;
    }
    await transaction.maildrop.release();
    context.transaction = undefined;
    if (failed.length > 0) {
      context.reply(err(`some deleted messages not removed (${failed.length} of ${deleted.length})`, 'SYS/TEMP'));
    } else {
      context.reply(ok(replyText(context, 'signOffUpdate', { left: left === 0 ? 'maildrop empty' : `${plural(left, 'message')} left` })));
    }
    context.transition('update-done');
    context.close();
  },
};
