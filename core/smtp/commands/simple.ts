/** RSET, NOOP, QUIT, VRFY, EXPN and HELP (RFC 5321 §4.1.1.5–§4.1.1.10, §3.5). */
import { SMTP_COMMAND_SPECS } from '../../protocols/smtp.js';
import type { SmtpCommand, SmtpContext } from '../context.js';
import { reply } from '../reply.js';
import { commandSummary } from '../../annotations/messages.js';


export const RSET: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.RSET,
  handle(context, args) {
    if (args.trim() !== '') {
      context.fail('BAD_ARGUMENT', reply(501, '5.5.4', 'RSET takes no parameters'));
      return;
    }
    context.transaction = undefined;
    context.succeeded('RSET');
    context.send(reply(250, '2.0.0', context.text('rsetOk')));
  },
};

export const NOOP: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.NOOP,
  handle(context) {
    context.send(reply(250, '2.0.0', context.text('noopOk')));
  },
};

export const QUIT: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.QUIT,
  handle(context, args) {
    if (args.trim() !== '') {
      context.fail('BAD_ARGUMENT', reply(501, '5.5.4', 'QUIT takes no parameters'));
      return;
    }
    context.transaction = undefined;
    context.send(reply(221, '2.0.0', context.text('quit')));
    context.succeeded('QUIT');
    context.close();
  },
};

export const VRFY: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.VRFY,
  async handle(context, args) {
    const query = args.trim();
    if (query === '') {
      context.fail('BAD_ARGUMENT', reply(501, '5.5.4', 'Syntax: VRFY name-or-address'));
      return;
    }
    if (!context.options.persona.verify) {
      // Not 2.1.5: that asserts the address is valid (RFC 3463 §3.2), which a server that will not
      // look it up does not know. X.0.0 reports only the class (RFC 3463 §3.1).
      context.send(reply(252, '2.0.0', 'Cannot VRFY user, but will accept message and attempt delivery'));
      return;
    }
    const matches = await context.backend.verify(query.replace(/^<(.*)>$/, '$1'));
    if (matches.length === 0) context.send(reply(550, '5.1.1', `String does not match anything: ${query.slice(0, 64)}`));
    else if (matches.length === 1) context.send(reply(250, '2.1.5', matches[0]!));
    else context.send(reply(553, '5.1.4', 'User ambiguous; possibilities are', ...matches));
  },
};

export const EXPN: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.EXPN,
  handle(context, args) {
    const name = args.trim();
    if (name === '') {
      context.fail('BAD_ARGUMENT', reply(501, '5.5.4', 'Syntax: EXPN list-name'));
      return;
    }
    const lists = context.options.persona.lists;
    if (Object.keys(lists).length === 0) {
      context.send(reply(502, '5.5.1', 'EXPN is disabled on this server (RFC 5321 §7.3)'));
      return;
    }
    const key = Object.keys(lists).find((list) => list.toLowerCase() === name.toLowerCase());
    if (!key) {
      context.send(reply(550, '5.1.1', 'Access Denied to You.'));
      return;
    }
    context.send(reply(250, '2.1.5', ...lists[key]!));
  },
};

export function helpLines(context: SmtpContext, topic: string, commands: readonly SmtpCommand[]): string[] | undefined {
  if (topic === '') {
    return ['maillab SMTP server; commands:', commands.map((command) => command.name).join(' '), 'HELP <command> describes one; RFC 5321 is the reference'];
  }
  const command = commands.find((entry) => entry.name === topic.toUpperCase());
  if (!command) return undefined;
  return [`${command.syntax}`, `${commandSummary('smtp', command.name)} (${command.rfc})`];
}
