/**
 * The POP3 command table: one entry per command with the states it is valid
 * in, its syntax, RFC section and handler (after Dovecot's pop3-commands.c).
 */
import type { Pop3Command } from '../context.js';
import { AUTH } from './auth.js';
import { APOP, PASS, USER } from './authorization.js';
import { CAPA, QUIT, STLS } from './session-commands.js';
import { DELE, LAST, LIST, NOOP, RETR, RSET, STAT, TOP, UIDL } from './transaction.js';

export const POP3_COMMANDS: readonly Pop3Command[] = [
  USER, PASS, APOP, AUTH, STLS, CAPA, QUIT,
  STAT, LIST, RETR, DELE, NOOP, RSET, TOP, UIDL, LAST,
];

const byName = new Map(POP3_COMMANDS.map((command) => [command.name, command]));

/** Looks a verb up, already upper-cased. */
export function findCommand(verb: string): Pop3Command | undefined {
  return byName.get(verb);
}
