import { describe, expect, it } from 'vitest';
import { isMetaCommand, runMetaCommand, type MetaContext } from '../../core/client/meta-commands.js';
import { parseLog, wireLines } from '../../core/client/log-parser.js';
import { parseServerUrl } from '../../core/net/server-url.js';
import type { ClientTracker } from '../../core/client/tracker.js';
import { showBytes } from '../../core/render/show-bytes.js';

describe('parseServerUrl', () => {
  it.each([
    ['pop3://mail.example.com', { protocol: 'pop3', host: 'mail.example.com', port: 110, implicitTls: false }],
    ['pop3s://mail.example.com', { protocol: 'pop3', host: 'mail.example.com', port: 995, implicitTls: true }],
    ['smtp://127.0.0.1:2525', { protocol: 'smtp', host: '127.0.0.1', port: 2525, implicitTls: false }],
    ['SMTPS://[::1]:2465/', { protocol: 'smtp', host: '::1', port: 2465, implicitTls: true }],
    ['smtp://mx.example.org', { protocol: 'smtp', host: 'mx.example.org', port: 25, implicitTls: false }],
  ])('%s', (url, endpoint) => {
    expect(parseServerUrl(url)).toEqual({ ok: true, endpoint });
  });

  it.each([
    ['imap://x', /unknown scheme "imap"/],
    ['mail.example.com', /not a server URL/],
    ['pop3://x:70000', /port 70000 is out of range/],
    ['smtp://host/path', /not a server URL/],
  ])('refuses %s', (url, reason) => {
    const parsed = parseServerUrl(url);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('meta-commands', () => {
  const context: MetaContext = { tracker: { inputMode: 'command' } as ClientTracker };

  it('recognises only "/word" lines', () => {
    expect(isMetaCommand('/plain a b')).toBe(true);
    expect(isMetaCommand('USER alice')).toBe(false);
    expect(isMetaCommand('/')).toBe(false);
  });

  it('/plain builds the RFC 4616 response', () => {
    expect(runMetaCommand('/plain tim tanstaaftanstaaf', context)).toMatchObject({ kind: 'send', line: `AUTH PLAIN ${Buffer.from('\0tim\0tanstaaftanstaaf').toString('base64')}` });
  });

  it('/apop uses the greeting timestamp: the RFC 1939 vector', () => {
    const result = runMetaCommand('/apop mrose tanstaaf', { ...context, apopTimestamp: '<1896.697170952@dbc.mtview.ca.us>' });
    expect(result).toMatchObject({ kind: 'send', line: 'APOP mrose c4c9334bac560ecc979e58001b3e22fb' });
    expect(runMetaCommand('/apop mrose tanstaaf', context)).toMatchObject({ kind: 'error', message: expect.stringMatching(/no APOP timestamp/) });
  });

  it('/cram answers the last challenge: the RFC 2195 vector', () => {
    const result = runMetaCommand('/cram tim tanstaaftanstaaf', { ...context, lastChallenge: '<1896.697170952@postoffice.reston.mci.net>' });
    expect(result).toMatchObject({ kind: 'send', line: 'dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw' });
    expect(runMetaCommand('/cram tim x', context)).toMatchObject({ kind: 'error' });
  });

  it('/b64, /login, /decode, /bytes, /save and errors', () => {
    expect(runMetaCommand('/b64 wonderland', context)).toMatchObject({ kind: 'send', line: 'd29uZGVybGFuZA==' });
    expect(runMetaCommand('/login alice', context)).toMatchObject({ kind: 'send', line: 'AUTH LOGIN YWxpY2U=' });
    expect(runMetaCommand('/decode VXNlcm5hbWU6', context)).toEqual({ kind: 'print', text: '"Username:"' });
    expect(runMetaCommand('/bytes on', context)).toEqual({ kind: 'set', setting: 'show-bytes', value: true });
    expect(runMetaCommand('/save out.txt', context)).toEqual({ kind: 'save', path: 'out.txt' });
    expect(runMetaCommand('/plain onlyuser', context)).toEqual({ kind: 'error', message: 'usage: /plain USER PASS' });
    expect(runMetaCommand('/frob', context)).toEqual({ kind: 'error', message: 'unknown meta-command /frob; /help lists them' });
    expect(runMetaCommand('/help', context)).toMatchObject({ kind: 'print', text: expect.stringContaining('/apop USER SECRET') });
  });
});

describe('parseLog', () => {
  it('reads an RFC-style transcript and skips narration', () => {
    const log = parseLog('Example:\n   S: +OK POP3 server ready\n   C: USER mrose\n   S: +OK\nnarration\n');
    expect(log).toEqual({
      format: 'rfc',
      protocol: 'pop3',
      entries: [
        { kind: 'wire', from: 'server', text: '+OK POP3 server ready', tls: false, lineNumber: 2 },
        { kind: 'wire', from: 'client', text: 'USER mrose', tls: false, lineNumber: 3 },
        { kind: 'wire', from: 'server', text: '+OK', tls: false, lineNumber: 4 },
      ],
    });
  });

  it('reads swaks output, with TLS lines marked', () => {
    const swaks = ['=== Trying 127.0.0.1:25...', '<-  220 mx ESMTP', ' -> EHLO me', '<-  250-mx', '<-  250 STARTTLS', ' -> STARTTLS', '<-  220 go ahead', '=== TLS started', ' ~> EHLO me', '<~  250 mx', '<** 550 5.1.1 no'].join('\n');
    const log = parseLog(swaks);
    if ('error' in log) throw new Error(log.error);
    expect(log.format).toBe('swaks');
    expect(log.protocol).toBe('smtp');
    expect(wireLines(log).map((line) => [line.from, line.text, line.tls])).toEqual([
      ['server', '220 mx ESMTP', false],
      ['client', 'EHLO me', false],
      ['server', '250-mx', false],
      ['server', '250 STARTTLS', false],
      ['client', 'STARTTLS', false],
      ['server', '220 go ahead', false],
      ['client', 'EHLO me', true],
      ['server', '250 mx', true],
      ['server', '550 5.1.1 no', false],
    ]);
  });

  it('reads curl -v output', () => {
    const log = parseLog('*   Trying 127.0.0.1:110...\n< +OK ready\n> CAPA\n< +OK\n< TOP\n< .\n* Closing');
    if ('error' in log) throw new Error(log.error);
    expect(log.format).toBe('curl');
    expect(wireLines(log).map((line) => `${line.from}:${line.text}`)).toEqual(['server:+OK ready', 'client:CAPA', 'server:+OK', 'server:TOP', 'server:.']);
  });

  it('says why when it finds no session or cannot tell the protocol', () => {
    expect(parseLog('hello\nworld\n')).toEqual({ error: expect.stringMatching(/^no session lines found/) });
    expect(parseLog('C: HELLO\nS: what?\n')).toEqual({ error: expect.stringMatching(/^cannot tell POP3 from SMTP/) });
  });
});

describe('showBytes', () => {
  it('makes line ends, stuffing and continuations visible', () => {
    expect(showBytes({ text: '250-PIPELINING', ending: 'crlf' })).toBe('250-PIPELINING␍␊   ("-" after the code: more lines of this reply follow)');
    expect(showBytes({ text: '..dot', ending: 'crlf' })).toMatch(/^\.\.dot␍␊ {3}\(byte-stuffed/);
    expect(showBytes({ text: '+OK', ending: 'lf' })).toBe('+OK␊   <- bare LF: this line should end with CRLF');
    expect(showBytes({ text: 'a\rb\x00', ending: 'crlf' })).toBe('a␍b\\x00␍␊');
  });
});
