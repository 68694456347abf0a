import { describe, expect, it } from 'vitest';
import { clientLineEvent, MASK, maskClientLine, secretStart } from '../../core/masking.js';

describe('maskClientLine', () => {
  it.each([
    ['PASS wonderland', 'PASS ********'],
    ['pass wonderland', 'pass ********'],
    ['  PASS  two words', '  PASS ********'],
    ['PASS\x00wonderland', 'PASS ********'],
    ['PASS\twonderland', 'PASS ********'],
    ['PASS', 'PASS ********'],
  ])('POP3 %j is shown as %j', (line, shown) => {
    expect(maskClientLine('pop3', line, 'command')).toEqual({ text: shown, masked: true });
  });

  it('keeps lines without a secret, and PASSWORD-like verbs that are not PASS', () => {
    expect(maskClientLine('pop3', 'USER alice', 'command')).toEqual({ text: 'USER alice', masked: false });
    expect(maskClientLine('pop3', 'PASSX y', 'command')).toEqual({ text: 'PASSX y', masked: false });
    expect(maskClientLine('smtp', 'AUTH LOGIN', 'command')).toEqual({ text: 'AUTH LOGIN', masked: false });
  });

  it.each(['pop3', 'smtp'] as const)('%s: an AUTH initial response is masked whatever the mechanism', (protocol) => {
    expect(maskClientLine(protocol, 'AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=', 'command').text).toBe(`AUTH PLAIN ${MASK}`);
    expect(maskClientLine(protocol, 'auth x-made-up c2VjcmV0', 'command').text).toBe(`auth x-made-up ${MASK}`);
    expect(maskClientLine(protocol, 'AUTH PLAIN\x00c2VjcmV0', 'command').text).toBe(`AUTH PLAIN ${MASK}`);
  });

  it('masks every SASL response whole, never showing its length', () => {
    expect(maskClientLine('smtp', 'd29uZGVybGFuZA==', 'sasl')).toEqual({ text: MASK, masked: true });
    expect(maskClientLine('pop3', 'x', 'sasl')).toEqual({ text: MASK, masked: true });
    expect(maskClientLine('pop3', '', 'sasl')).toEqual({ text: '(empty)', masked: true });
    expect(maskClientLine('pop3', '*', 'sasl')).toEqual({ text: '*', masked: false });
  });
});

describe('secretStart (hiding what is being typed)', () => {
  it('hides a POP3 password from the character after PASS', () => {
    expect(secretStart('pop3', 'PAS', 'command')).toBeUndefined();
    expect(secretStart('pop3', 'PASS', 'command')).toBe(4);
    expect(secretStart('pop3', 'PASS won', 'command')).toBe(4);
  });

  it('hides an AUTH initial response once the mechanism is complete', () => {
    expect(secretStart('smtp', 'AUTH PLA', 'command')).toBeUndefined();
    expect(secretStart('smtp', 'AUTH PLAIN ', 'command')).toBe(10);
    expect(secretStart('smtp', 'AUTH PLAIN AGFs', 'command')).toBe(10);
  });

  it('hides a whole SASL response', () => {
    expect(secretStart('smtp', 'abc', 'sasl')).toBe(0);
  });
});

describe('credentials sent after a refused AUTH (issue 14 item 9)', () => {
  it.each(['pop3', 'smtp'] as const)('%s: a lone base64 token that is no command is masked', (protocol) => {
    for (const line of ['AGFsaWNlAHdvbmRlcmxhbmQ=', 'Ym9i', 'YnVpbGRlcg==', 'd29uZGVybGFuZA==', ' YWxpY2U= ']) {
      expect(maskClientLine(protocol, line, 'command')).toEqual({ text: MASK, masked: true });
    }
  });

  it('keeps commands, plain words and lines with spaces', () => {
    for (const line of ['QUIT', 'NOOP', 'quit', 'STAT', 'HELLO', 'TEST', 'asdf', 'NOOP Ym9i', 'EHLO x']) {
      expect(maskClientLine('smtp', line, 'command').masked).toBe(false);
    }
    expect(maskClientLine('pop3', 'LIST', 'command').masked).toBe(false);
  });

  it('PASS is masked on an SMTP port too: a password typed in the wrong place is still a password', () => {
    expect(maskClientLine('smtp', 'PASS wonderland', 'command').text).toBe(`PASS ${MASK}`);
  });

  it('the event text is escaped: no control byte reaches a front end', () => {
    expect(clientLineEvent('smtp', 'NOOP \x1b[2J\rS: 250 forged', 'command').text).toBe('NOOP \\x1b[2J\\x0dS: 250 forged');
  });
});
