/**
 * Line hygiene is one policy (core/engine/line-policy.ts) for both engines:
 * the same byte is refused for the same reason in POP3 and SMTP, named by its
 * position, in each protocol's reply shape and RFC words.
 */
import { describe, expect, it } from 'vitest';
import { commandLineProblem, POP3_LINE_POLICY, saslLineUsable, SMTP_LINE_POLICY } from '../../core/engine/line-policy.js';
import { Pop3Session } from '../../core/pop3/session.js';
import { makeHarness } from '../helpers/pop3-harness.js';
import { makeSmtpHarness } from '../helpers/smtp-harness.js';

const line = (text: string, ending: { bareCr?: boolean; bareLf?: boolean } = {}) => ({ bytes: Buffer.from(text, 'latin1'), bareCr: ending.bareCr ?? false, bareLf: ending.bareLf ?? false });

describe('one line policy, two protocols', () => {
  it('refuses the first bad byte by position, for the same reason in both', () => {
    const cases: [string, string][] = [
      ['NOOP a\0b\x1b', 'NUL_BYTE'],
      ['NOOP \x1bc\0', 'CONTROL_CHARACTER'],
      ['NOOP \xe9\0', 'EIGHT_BIT'],
      ['NOOP \x7f', 'CONTROL_CHARACTER'],
    ];
    for (const [text, code] of cases) {
      expect(commandLineProblem(POP3_LINE_POLICY, line(text))?.code).toBe(code);
      expect(commandLineProblem(SMTP_LINE_POLICY, line(text))?.code).toBe(code);
    }
    expect(commandLineProblem(POP3_LINE_POLICY, line('NOOP a\0b'))?.message).toBe('NUL byte at position 7 of the command line');
    expect(commandLineProblem(SMTP_LINE_POLICY, line('NOOP', { bareCr: true }))?.code).toBe('BARE_CR');
    expect(commandLineProblem(POP3_LINE_POLICY, line('NOOP', { bareCr: true }))?.code).toBe('BARE_CR');
    expect(commandLineProblem(POP3_LINE_POLICY, line('STAT'))).toBeUndefined();
  });

  it('lets UTF-8 through only where the protocol allows it (SMTPUTF8 addresses, RFC 6531 §3.3), and only valid UTF-8', () => {
    const utf8 = Buffer.from('RCPT TO:<jos\u00e9@example.org>', 'utf8').toString('latin1');
    expect(commandLineProblem(SMTP_LINE_POLICY, line(utf8))).toBeUndefined();
    expect(commandLineProblem(SMTP_LINE_POLICY, line('RCPT TO:<jos\xe9@example.org>'))?.message).toMatch(/not valid UTF-8/);
    expect(commandLineProblem(POP3_LINE_POLICY, line(`USER ${utf8.slice(9)}`))?.code).toBe('EIGHT_BIT');
  });

  it('a SASL response is printable ASCII on a line of its own', () => {
    expect(saslLineUsable(line('dGVzdA=='))).toBe(true);
    expect(saslLineUsable(line('dGVz\xe9A=='))).toBe(false);
    expect(saslLineUsable(line('dGVzdA==', { bareCr: true }))).toBe(false);
  });

  it('both engines answer from it in their own reply shape, and note a bare LF', async () => {
    const pop3 = makeHarness();
    expect(await pop3.send('NOOP \x1b')).toBe('-ERR control character 0x1b at position 6: keywords and arguments are printable ASCII separated by single spaces (RFC 1939 section 3)\r\n');
    const smtp = makeSmtpHarness();
    expect(await smtp.send('NOOP \x1b')).toBe('500 5.5.2 control character 0x1b at position 6: commands are printable US-ASCII separated by spaces (RFC 5321 section 4.1.1)\r\n');
    const session: Pop3Session = pop3.session;
    const output = await session.receiveLine(Buffer.from('CAPA'), { bareLf: true, bareCr: false });
    expect(output.events).toContainEqual(expect.objectContaining({ kind: 'annotation', key: 'pop3.warning.bare-lf-command', rfc: 'RFC 1939 §3' }));
    const bareCr = await session.receiveLine(Buffer.from('CAPA\rX'), { bareLf: false, bareCr: true });
    expect(bareCr.bytes.toString('latin1')).toBe('-ERR Bare CR in a command line: POP3 lines end with CRLF (RFC 1939 section 3)\r\n');
  });
});
