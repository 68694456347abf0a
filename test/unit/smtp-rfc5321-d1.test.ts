import { describe, expect, it } from 'vitest';
import { DEFAULT_SMTP_PERSONA, RFC5321_TEXTS } from '../../core/smtp/persona.js';
import { makeSmtpHarness } from '../helpers/smtp-harness.js';

const FOO_COM = {
  ...DEFAULT_SMTP_PERSONA,
  hostname: 'foo.com',
  texts: RFC5321_TEXTS,
  enhancedStatusCodes: false,
  ehloKeywords: ['8BITMIME', 'SIZE', 'DSN', 'HELP'],
};

describe('RFC 5321 Appendix D.1, byte for byte', () => {
  it('reproduces every S: line, and delivers to Jones and Brown only', async () => {
    const h = makeSmtpHarness({ persona: FOO_COM }, { Jones: 'x', Brown: 'y' }, ['foo.com']);
    expect(h.greeting.bytes.toString()).toBe('220 foo.com Simple Mail Transfer Service Ready\r\n');
    expect(await h.send('EHLO bar.com')).toBe('250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n');
    expect(await h.send('MAIL FROM:<Smith@bar.com>')).toBe('250 OK\r\n');
    expect(await h.send('RCPT TO:<Jones@foo.com>')).toBe('250 OK\r\n');
    expect(await h.send('RCPT TO:<Green@foo.com>')).toBe('550 No such user here\r\n');
    expect(await h.send('RCPT TO:<Brown@foo.com>')).toBe('250 OK\r\n');
    expect(await h.send('DATA')).toBe('354 Start mail input; end with <CRLF>.<CRLF>\r\n');
    expect(h.session.inputMode.kind).toBe('data');
    expect(await h.data('Blah blah blah...\r\n...etc. etc. etc.\r\n')).toBe('250 OK\r\n');
    const quit = await h.output('QUIT');
    expect(quit.bytes.toString()).toBe('221 foo.com Service closing transmission channel\r\n');
    expect(quit.close).toBe(true);
    expect(h.delivered).toHaveLength(1);
    expect(h.delivered[0]!.envelope.recipients.map((r) => r.route)).toEqual([
      { kind: 'local', user: 'Jones' },
      { kind: 'local', user: 'Brown' },
    ]);
    expect(h.delivered[0]!.message.toString()).toMatch(/^Received: from bar\.com \(\[127\.0\.0\.1\]\)\r\n\tby foo\.com with ESMTP id Q1;\r\n\tMon, 23 Nov 2026 12:00:00 \+0000\r\nBlah blah blah\.\.\.\r\n\.\.\.etc\. etc\. etc\.\r\n$/);
  });
});
