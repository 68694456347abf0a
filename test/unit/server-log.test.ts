/**
 * Postfix and Dovecot log lines explained: the lines of a real Postfix 3.7 and
 * Dovecot 2.3 run (test/fixtures/logs/postfix-maillog.log, dovecot.log) and
 * lines modelled on their formats for what that run could not produce
 * (modelled-maillog.log: DNS blocklists, remote deliveries, other addresses).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerLog, type ServerLogLine } from '../../core/client/server-log.js';
import { renderServerLog } from '../../core/render/server-log.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'logs');
const read = (name: string) => parseServerLog(readFileSync(join(FIXTURES, name), 'latin1')).lines;
const withMessage = (lines: ServerLogLine[], part: string) => {
  const line = lines.find((candidate) => candidate.message.includes(part));
  if (!line) throw new Error(`no line with "${part}"`);
  return line;
};

describe('a real Postfix log', () => {
  const lines = read('postfix-maillog.log');

  it('explains a relay refusal with the recipient, the client and what to check', () => {
    const line = withMessage(lines, 'Relay access denied');
    expect(line).toMatchObject({ daemon: 'postfix', program: 'postfix/smtpd', pid: '21908' });
    expect(line.explanation).toMatchObject({ key: 'postfix.reject.relay', facts: { stage: 'RCPT', code: '554', enhanced: '5.7.1', to: 'victim@example.net', from: 'someone@example.org', ip: '127.0.0.1', helo: 'vm' } });
    expect(line.explanation!.meaning).toContain('refused the recipient victim@example.net at the RCPT stage (554 5.7.1)');
    expect(line.explanation!.check).toMatch(/authenticate .*submission port/);
  });

  it('explains the STARTTLS failure from the server side: SSL_accept, the alert, the lost connection', () => {
    expect(withMessage(lines, 'SSL_accept error').explanation?.key).toBe('postfix.ssl-accept-error');
    expect(withMessage(lines, 'alert unknown ca').explanation).toMatchObject({ key: 'postfix.tls-library', facts: { detail: expect.stringContaining('tlsv1 alert unknown ca') } });
    const lost = withMessage(lines, 'lost connection after STARTTLS').explanation!;
    expect(lost.key).toBe('postfix.lost-connection.STARTTLS');
    expect(lost.meaning).toMatch(/client refused the server's certificate/);
  });

  it('explains a SASL failure and points at Dovecot\'s log', () => {
    const sasl = withMessage(lines, 'SASL PLAIN authentication failed').explanation!;
    expect(sasl).toMatchObject({ key: 'postfix.sasl-failed', facts: { method: 'PLAIN', user: 'alice', reason: '(reason unavailable)' } });
    expect(sasl.check).toContain('Password mismatch');
  });

  it('reads a disconnect\'s command counts: which commands were refused', () => {
    expect(withMessage(lines, 'rcpt=0/1 quit=1 commands=3/4').explanation!.meaning).toContain('refused or failed: RCPT 0 of 1');
    expect(withMessage(lines, 'data=0/1 unknown=0/1').explanation!.meaning).toContain('refused or failed: DATA 0 of 1, UNKNOWN 0 of 1');
    expect(withMessage(lines, 'ehlo=1 quit=1 commands=2').explanation!.meaning).toContain('every command was accepted');
  });

  it('explains the size limit, an early talker, a bounce and a client lost during DATA', () => {
    expect(withMessage(lines, 'queue file size limit exceeded').explanation?.key).toBe('postfix.size-limit');
    expect(withMessage(lines, 'improper command pipelining').explanation).toMatchObject({ key: 'postfix.improper-pipelining', facts: { stage: 'CONNECT' } });
    expect(withMessage(lines, 'status=bounced').explanation).toMatchObject({ key: 'postfix.delivery.bounced', facts: { to: 'bob@lab.test', dsn: '5.1.1', detail: 'unknown user: "bob"' } });
    expect(withMessage(lines, 'lost connection after DATA').explanation).toMatchObject({ key: 'postfix.lost-connection.DATA', facts: { detail: '12 bytes' } });
  });
});

describe('a real Dovecot log (its own log_path)', () => {
  const lines = read('dovecot.log');

  it('explains a password mismatch, the failed login it ends in, and a good login', () => {
    expect(withMessage(lines, 'Password mismatch').explanation).toMatchObject({ key: 'dovecot.password-mismatch', facts: { user: 'alice', ip: '127.0.0.1', passdb: 'passwd-file' } });
    const failed = withMessage(lines, 'auth failed').explanation!;
    expect(failed).toMatchObject({ key: 'dovecot.login-auth-failed', facts: { attempts: '1', user: 'alice', method: 'PLAIN', service: 'pop3' } });
    expect(failed.meaning).toContain('on a secured connection');
    expect(withMessage(lines, 'Login: user=<alice>').explanation).toMatchObject({ key: 'dovecot.login', facts: { mpid: '22533' } });
    expect(withMessage(lines, 'Logged out').explanation).toMatchObject({ key: 'dovecot.pop3-logout', facts: { retr: '0/0', del: '0/0' } });
  });
});

describe('lines modelled on Postfix\'s and Dovecot\'s syslog formats', () => {
  const lines = read('modelled-maillog.log');

  it('leaves out the lines of other programs', () => {
    expect(lines.some((line) => line.text.includes('kernel'))).toBe(false);
    expect(lines).toHaveLength(15);
  });

  it.each([
    ['User unknown in local recipient table', 'postfix.reject.unknown-user'],
    ['blocked using zen.spamhaus.org', 'postfix.reject.blocklist'],
    ['Message size exceeds fixed limit', 'postfix.reject.size'],
    ['Helo command rejected', 'postfix.reject.helo'],
    ['timeout after END-OF-MESSAGE', 'postfix.timeout'],
    ['too many errors after RCPT', 'postfix.too-many-errors'],
    ['status=deferred', 'postfix.delivery.deferred'],
    ['status=sent', 'postfix.delivery.sent'],
    [': removed', 'postfix.removed'],
    ['unknown user', 'dovecot.unknown-user'],
    ['auth failed, 3 attempts', 'dovecot.login-auth-failed'],
    ['disallowed plaintext auth', 'dovecot.login-plaintext-disallowed'],
    ['TLS handshaking', 'dovecot.login-tls-failed'],
    ['Permission denied', 'dovecot.error'],
  ])('%s -> %s', (part, key) => {
    expect(withMessage(lines, part).explanation?.key).toBe(key);
  });

  it('reads an IPv6 client and a submission smtpd', () => {
    expect(withMessage(lines, 'connect from').explanation?.facts).toMatchObject({ ip: '2001:db8::5', host: 'unknown' });
    expect(withMessage(lines, 'Message size exceeds').program).toBe('postfix/submission/smtpd');
    expect(withMessage(lines, 'auth failed, 3').explanation!.meaning).toContain('over TLS');
  });
});

describe('renderServerLog', () => {
  it('shows each line, its meaning, and what to check the first time a kind of line appears', () => {
    const text = renderServerLog(read('postfix-maillog.log'));
    const connects = text.flatMap((line, index) => (line.includes(': connect from') ? [index] : []));
    expect(text[connects[0]! + 2]).toMatch(/^ {3}\? check: /);
    expect(text[connects[1]! + 2]).toMatch(/^L: /);
    expect(renderServerLog(read('dovecot.log'), { annotations: 'off' }).every((line) => line.startsWith('L: '))).toBe(true);
    expect(renderServerLog(read('dovecot.log'), { annotations: 'brief' })).toContain('   = Password mismatch (RFC 4954 §6)');
  });

  it('never lets a client\'s text drive the terminal', () => {
    const lines = parseServerLog('Dec  8 10:00:00 mx postfix/smtpd[1]: NOQUEUE: reject: EHLO from unknown[203.0.113.5]: 504 5.5.2 <\x1b]0;owned\x07>: Helo command rejected: need fully-qualified hostname; proto=ESMTP helo=<\x1b]0;owned\x07>').lines;
    const text = renderServerLog(lines).join('\n');
    expect(text).not.toMatch(/[\x1b\x07]/);
    expect(text).toContain('\\x1b]0;owned\\x07');
  });
});
