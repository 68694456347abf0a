/** The SMTP command table (one entry per verb; handlers in the files beside this one). */
import type { SmtpCommand } from '../context.js';
import { reply } from '../reply.js';
import { AUTH } from './auth.js';
import { BDAT } from './bdat.js';
import { DATA } from './data.js';
import { EHLO, HELO } from './ehlo.js';
import { MAIL } from './mail.js';
import { RCPT } from './rcpt.js';
import { EXPN, helpLines, NOOP, QUIT, RSET, VRFY } from './simple.js';
import { STARTTLS } from './starttls.js';
import { SMTP_COMMAND_SPECS } from '../../protocols/smtp.js';

const HELP: SmtpCommand = {
  ...SMTP_COMMAND_SPECS.HELP,
  handle(context, args) {
    const lines = helpLines(context, args.trim(), SMTP_COMMANDS);
    if (lines) context.send(reply(214, '2.0.0', ...lines));
    else context.send(reply(504, '5.5.1', `HELP topic "${args.trim().slice(0, 20)}" unknown`));
  },
};

export const SMTP_COMMANDS: readonly SmtpCommand[] = [EHLO, HELO, MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT, VRFY, EXPN, HELP, STARTTLS, AUTH];

const byName = new Map(SMTP_COMMANDS.map((command) => [command.name, command]));

export function findSmtpCommand(verb: string): SmtpCommand | undefined {
  return byName.get(verb);
}
