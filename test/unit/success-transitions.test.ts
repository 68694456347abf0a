/**
 * Which reply moves which transition is written once, in the protocol data
 * (`onSuccess` beside `leadsTo`, core/protocols/pop3.ts and smtp.ts): the
 * engines and the trackers both move by `successTransition`. The lockstep
 * tests (pop3-tracker, smtp-tracker) check that both sides then agree; this
 * file checks the data itself and that neither side names those moves again.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { POP3, POP3_COMMAND_SPECS } from '../../core/protocols/pop3.js';
import { SMTP, SMTP_COMMAND_SPECS } from '../../core/protocols/smtp.js';
import { successTransition, type ProtocolData } from '../../core/protocols/protocol-data.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function checkData<State extends string, Cause extends string>(data: ProtocolData<State, Cause>): string[] {
  const problems: string[] = [];
  for (const command of data.commands) {
    for (const cause of command.onSuccess ?? []) {
      const spec = data.transitions[cause];
      if (!spec) problems.push(`${command.name}: no transition ${cause}`);
      else if (spec.to !== 'same' && !command.leadsTo.includes(spec.to)) problems.push(`${command.name}: ${cause} leads to ${spec.to}, not in leadsTo`);
      // A cause a command's success makes can start only where the command is valid.
      else if (spec.from !== '*' && !spec.from.some((state) => command.states.includes(state))) problems.push(`${command.name}: ${cause} starts nowhere the command is valid`);
    }
  }
  return problems;
}

describe('success transitions as data', () => {
  it('every onSuccess cause exists, leads where leadsTo says and starts where the command is valid', () => {
    expect(checkData(POP3)).toEqual([]);
    expect(checkData(SMTP)).toEqual([]);
  });

  it('the table decides whether a success moves the session, and where', () => {
    expect(successTransition(POP3, POP3_COMMAND_SPECS.PASS, 'AUTHORIZATION')).toBe('authenticated');
    expect(successTransition(POP3, POP3_COMMAND_SPECS.QUIT, 'AUTHORIZATION')).toBe('quit-authorization');
    expect(successTransition(POP3, POP3_COMMAND_SPECS.QUIT, 'TRANSACTION')).toBe('quit-transaction');
    expect(successTransition(POP3, POP3_COMMAND_SPECS.RETR, 'TRANSACTION')).toBeUndefined();
    expect(successTransition(SMTP, SMTP_COMMAND_SPECS.RCPT, 'MAIL')).toBe('rcpt');
    // A second recipient leaves RCPT as it is; RSET before any greeting moves nothing (RFC 5321 §4.1.1.5).
    expect(successTransition(SMTP, SMTP_COMMAND_SPECS.RCPT, 'RCPT')).toBeUndefined();
    expect(successTransition(SMTP, SMTP_COMMAND_SPECS.RSET, 'INIT')).toBeUndefined();
    expect(successTransition(SMTP, SMTP_COMMAND_SPECS.RSET, 'MAIL')).toBe('rset');
    expect(successTransition(SMTP, SMTP_COMMAND_SPECS.EHLO, 'RCPT')).toBe('ehlo');
  });

  it('no engine handler or tracker names a move that a command\'s onSuccess already gives', () => {
    const causes = [...POP3.commands, ...SMTP.commands].flatMap((command) => command.onSuccess ?? []);
    expect(causes.length).toBeGreaterThan(6);
    const folders = ['core/pop3', 'core/pop3/commands', 'core/smtp', 'core/smtp/commands', 'core/client'];
    const offences = folders.flatMap((folder) =>
      readdirSync(join(ROOT, folder))
        .filter((name) => name.endsWith('.ts'))
        .flatMap((name) => {
          const source = readFileSync(join(ROOT, folder, name), 'utf8');
          return causes.filter((cause) => source.includes(`transition('${cause}'`)).map((cause) => `${folder}/${name}: transition('${cause}')`);
        }),
    );
    expect(offences).toEqual([]);
  });
});
