/**
 * `maillab annotate` on logs captured from real swaks and curl runs (against
 * the lab, Postfix and Dovecot; how they were made: test/fixtures/logs/README.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { annotateLog } from '../../core/client/annotate-log.js';
import { parseLog, withoutProgressMeter, wireLines, type ParsedLog } from '../../core/client/log-parser.js';
import type { WireEvent } from '../../core/events.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'logs');

function parsed(name: string): ParsedLog {
  const log = parseLog(readFileSync(join(FIXTURES, name), 'latin1'));
  if ('error' in log) throw new Error(log.error);
  return log;
}

const notices = (events: WireEvent[]) => events.flatMap((event) => (event.kind === 'notice' ? [event.text] : []));
const serverLines = (events: WireEvent[]) => events.flatMap((event) => (event.kind === 'line' && event.from === 'server' ? [event.text] : []));
const transitions = (events: WireEvent[]) => events.flatMap((event) => (event.kind === 'transition' ? [`${event.from}->${event.to}`] : []));

describe('curl -v logs', () => {
  it('keeps the line that shared a line with the progress meter: Dovecot\'s "-ERR [AUTH] Authentication failed."', () => {
    const log = parsed('dovecot-curl-pop3-auth-failed.log');
    expect(log.format).toBe('curl');
    expect(wireLines(log).map((line) => line.text)).toContain('-ERR [AUTH] Authentication failed.');
    const events = annotateLog(log);
    expect(serverLines(events)).toContain('-ERR [AUTH] Authentication failed.');
    expect(events.some((event) => event.kind === 'annotation' && event.key.includes('AUTH') && event.about === 'reply')).toBe(true);
    expect(notices(events)).toContain('curl said: (67) Login denied');
  });

  it('cuts a progress meter off wherever it is, and only it', () => {
    expect(withoutProgressMeter('\r  0     0    0     0    0     0      0      0 --:--:--  0:00:01 --:--:--     0< -ERR no')).toBe('< -ERR no');
    expect(withoutProgressMeter('\r100    82    0     0  100    82      0     19  0:00:04  0:00:04 --:--:--    20')).toBe('');
    expect(withoutProgressMeter('< 250 2.0.0 100 messages, 3 errors')).toBe('< 250 2.0.0 100 messages, 3 errors');
    expect(withoutProgressMeter('  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current')).toBe('');
  });

  it('reads TLS facts and leaves TLS record markers out of the message data (STLS, then a listing on stdout)', () => {
    const log = parsed('curl-pop3-stls-list.log');
    expect(log.entries.filter((entry) => entry.kind === 'data')).toEqual([]);
    const events = annotateLog(log);
    const tls = events.find((event) => event.kind === 'tls');
    expect(tls).toMatchObject({ version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', peer: { subject: 'CN=maillab.test; O=maillab teaching lab', verified: false } });
    expect(notices(events).join('\n')).toMatch(/could NOT verify the server's certificate \(self-signed certificate \(18\), continuing anyway\)/);
    // The LIST body curl wrote to stdout is the body of the LIST reply, ended by the "." curl removed.
    expect(serverLines(events).at(-1)).toBe('+OK 5 messages (2567 octets)');
    expect(events.at(-2)).toMatchObject({ kind: 'body', from: 'server', lines: 5, content: '1 390\r\n2 466\r\n3 863\r\n4 410\r\n5 438' });
    // After the body, the listing in one note (core/annotations/reply-context.ts), its total the one the +OK line announced.
    expect(events.at(-1)).toMatchObject({ kind: 'annotation', key: 'pop3.context.listing', detail: '5 messages listed, 2,567 octets in all' });
    expect(transitions(events)).toEqual(['AUTHORIZATION->TRANSACTION']);
  });

  it('ends a reply whose body curl wrote elsewhere (Dovecot\'s empty LIST), and says so', () => {
    const events = annotateLog(parsed('dovecot-curl-pop3-list.log'));
    expect(serverLines(events).at(-1)).toBe('+OK 0 messages:');
    expect(events.at(-1)).toMatchObject({ kind: 'body', from: 'server', lines: 0 });
    // The body is not in the log: no "0 messages listed" note that would mislead.
    expect(events.some((event) => event.kind === 'annotation' && event.key === 'pop3.context.listing')).toBe(false);
    expect(notices(events).some((text) => text.startsWith('curl writes the body of this reply'))).toBe(true);
  });

  it('reads implicit TLS (pop3s://): the handshake before the greeting', () => {
    const log = parsed('curl-pop3s-list.log');
    expect(log.entries.filter((entry) => entry.kind === 'data')).toEqual([]);
    const events = annotateLog(log);
    const tls = events.findIndex((event) => event.kind === 'tls');
    expect(tls).toBeGreaterThan(-1);
    expect(tls).toBeLessThan(events.findIndex((event) => event.kind === 'line'));
    expect(events.some((event) => event.kind === 'annotation' && event.key === 'pop3.tls.implicit')).toBe(true);
    expect(events.at(-2)).toMatchObject({ kind: 'body', from: 'server', lines: 5 });
    expect(events.at(-1)).toMatchObject({ kind: 'annotation', key: 'pop3.context.listing' });
  });

  it('ends a message sent inside TLS at "We are completely uploaded", so the 250 answers the DATA', () => {
    const events = annotateLog(parsed('curl-smtp-starttls-upload.log'));
    expect(transitions(events)).toEqual(['INIT->READY', 'READY->INIT', 'INIT->READY', 'READY->MAIL', 'MAIL->RCPT', 'RCPT->DATA', 'DATA->READY']);
    expect(notices(events).some((text) => text.startsWith('curl sent the message inside TLS'))).toBe(true);
    expect(notices(events).some((text) => /logged the message it sent as "\[5 bytes data\]"/.test(text))).toBe(false);
  });

  it('ends a message sent in the clear at its "[82 bytes data]"', () => {
    const events = annotateLog(parsed('curl-smtp-upload.log'));
    expect(transitions(events).at(-1)).toBe('DATA->READY');
    expect(notices(events)).toContain('curl logged the message it sent as "[82 bytes data]": 82 octets, their lines not in the log');
  });

  it('says the handshake never completed when curl refused Postfix\'s self-signed certificate', () => {
    const events = annotateLog(parsed('postfix-curl-verify-fail.log'));
    expect(events.some((event) => event.kind === 'tls')).toBe(false);
    const said = notices(events);
    expect(said.findIndex((text) => text.startsWith('the server agreed to start TLS, but the log shows no completed handshake'))).toBeLessThan(said.indexOf('curl said: (60) SSL certificate problem: self-signed certificate'));
  });
  it('reads the TLS lines of a newer curl (8.x) and a verified certificate', () => {
    // Modelled on curl 8.5's -v output; the fixtures above are curl 7.88.1's.
    const log = parseLog(['* Connected to mail.example.org (192.0.2.25) port 110', '< +OK ready', '> STLS', '< +OK Begin TLS', '* TLSv1.3 (OUT), TLS handshake, Client hello (1):', '* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384 / X25519 / RSASSA-PSS', '* Server certificate:', '*  subject: CN=mail.example.org', '*  start date: Jan  1 00:00:00 2026 GMT', '*  expire date: Apr  1 00:00:00 2026 GMT', '*  issuer: C=US; O=Let\'s Encrypt; CN=R11', '*  SSL certificate verify ok.', '> CAPA', '< +OK', '< USER', '< .'].join('\n'));
    if ('error' in log) throw new Error(log.error);
    const events = annotateLog(log);
    expect(events.find((event) => event.kind === 'tls')).toMatchObject({ version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', peer: { subject: 'CN=mail.example.org', issuer: "C=US; O=Let's Encrypt; CN=R11", verified: true } });
    expect(notices(events)).toContain("curl verified the server's certificate: ok");
  });
});

describe('swaks logs', () => {
  it('reads "=== TLS started", the peer DN and an error reply inside TLS ("<~*")', () => {
    const log = parsed('swaks-starttls-auth-failed.log');
    expect(wireLines(log).filter((line) => line.text.startsWith('535'))).toEqual([expect.objectContaining({ text: '535 5.7.8 Authentication credentials invalid', tls: true })]);
    const events = annotateLog(log);
    expect(events.find((event) => event.kind === 'tls')).toMatchObject({ version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
    expect(notices(events)).toContain('the server\'s certificate names /CN=maillab.test/O=maillab teaching lab; swaks does not check it unless run with --tls-verify');
    expect(notices(events)).toContain('swaks said: No authentication type succeeded');
    expect(events.some((event) => event.kind === 'error')).toBe(false);
    expect(events.some((event) => event.kind === 'annotation' && event.key === 'smtp.reply.535')).toBe(true);
  });

  it('follows a relay refusal inside TLS', () => {
    const events = annotateLog(parsed('swaks-starttls-relay-refused.log'));
    expect(serverLines(events)).toContain('550 5.7.1 Relay access denied: example.net is not a local domain and you have not authenticated');
    expect(transitions(events)).toEqual(['INIT->READY', 'READY->INIT', 'INIT->READY', 'READY->MAIL', 'MAIL->CLOSED']);
  });
});
