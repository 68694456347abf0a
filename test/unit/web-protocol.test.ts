/** The pure parts of the bridge: message validation, the remote allowlist, Host and Origin checks. */
import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../web/protocol/messages.js';
import { checkRemote, parseAllowlist } from '../../web/server/remote-allowlist.js';
import { hostAllowed, hostPolicy, originAllowed } from '../../web/server/origin-check.js';

describe('page messages', () => {
  it('accepts exactly the version 1 shapes', () => {
    expect(parseClientMessage('{"v":1,"t":"hello"}')).toEqual({ ok: true, message: { v: 1, t: 'hello' } });
    expect(parseClientMessage('{"v":1,"t":"input","lines":["USER alice"]}').ok).toBe(true);
    expect(parseClientMessage('{"v":1,"t":"bye"}')).toEqual({ ok: true, message: { v: 1, t: 'bye' } });
    expect(parseClientMessage('{"v":1,"t":"open","target":{"kind":"lesson","id":"x","mode":"step"}}').ok).toBe(true);
    expect(parseClientMessage('{"v":1,"t":"open","target":{"kind":"lesson","id":"x","mode":"step","dir":"/etc"}}')).toEqual({
      ok: true,
      message: { v: 1, t: 'open', target: { kind: 'lesson', id: 'x', mode: 'step' } },
    });
  });

  it('refuses anything else with a stable code', () => {
    expect(parseClientMessage('nope')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    expect(parseClientMessage('{"v":2,"t":"hello"}')).toMatchObject({ ok: false, code: 'BAD_VERSION' });
    expect(parseClientMessage('{"v":1,"t":"input","lines":[]}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    expect(parseClientMessage('{"v":1,"t":"input","lines":["a\\r\\nRSET"]}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    expect(parseClientMessage('{"v":1,"t":"open","target":{"kind":"socket","host":"10.0.0.1"}}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    expect(parseClientMessage('{"v":1,"t":"hello","session":"../x"}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    expect(parseClientMessage('{"v":1,"t":"meta","line":"USER x"}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
    // The page keeps its terminal size to itself: the bridge draws nothing width-dependent.
    expect(parseClientMessage('{"v":1,"t":"resize","cols":80,"rows":24}')).toMatchObject({ ok: false, code: 'BAD_MESSAGE' });
  });
});

describe('the remote allowlist', () => {
  it('parses host and host:port entries, comma-separated or repeated', () => {
    expect(parseAllowlist(['mail.example.test:110, 127.0.0.1', '[::1]:25'])).toEqual({
      ok: true,
      entries: [{ host: 'mail.example.test', port: 110 }, { host: '127.0.0.1' }, { host: '::1', port: 25 }],
    });
    expect(parseAllowlist(['pop3://x'])).toMatchObject({ ok: false });
    expect(parseAllowlist(['x:99999'])).toMatchObject({ ok: false });
  });

  it('allows a listed host (and port), the lab\'s own listeners, and nothing else', () => {
    const { entries } = parseAllowlist(['Mail.Example.test:110', '192.0.2.7']) as { ok: true; entries: [] };
    expect(checkRemote('pop3://mail.example.test:110', entries).ok).toBe(true);
    expect(checkRemote('pop3://mail.example.test', entries).ok).toBe(true);
    expect(checkRemote('smtp://mail.example.test:25', entries).ok).toBe(false);
    expect(checkRemote('smtps://192.0.2.7', entries).ok).toBe(true);
    expect(checkRemote('pop3://192.0.2.8:110', entries).ok).toBe(false);
    expect(checkRemote('pop3://127.0.0.1:1110', [], ['127.0.0.1:1110']).ok).toBe(true);
    expect(checkRemote('pop3://127.0.0.1:22', [], ['127.0.0.1:1110'])).toMatchObject({ ok: false, reason: expect.stringContaining('--allow-remote') });
    expect(checkRemote('http://127.0.0.1:1110', [], ['127.0.0.1:1110']).ok).toBe(false);
  });
});

describe('Host and Origin', () => {
  const policy = hostPolicy('127.0.0.1', 8025, ['lab.school.example']);
  it('answers to its own names on its own port only', () => {
    expect(hostAllowed(policy, '127.0.0.1:8025')).toBe(true);
    expect(hostAllowed(policy, 'localhost:8025')).toBe(true);
    expect(hostAllowed(policy, 'LAB.school.example:8025')).toBe(true);
    expect(hostAllowed(policy, '[::1]:8025')).toBe(true);
    expect(hostAllowed(policy, 'evil.test:8025')).toBe(false);
    expect(hostAllowed(policy, '127.0.0.1:8026')).toBe(false);
    expect(hostAllowed(policy, undefined)).toBe(false);
  });
  it('takes a WebSocket only from the page of the same origin', () => {
    expect(originAllowed(policy, 'http://127.0.0.1:8025', '127.0.0.1:8025')).toBe(true);
    expect(originAllowed(policy, 'http://localhost:8025', '127.0.0.1:8025')).toBe(false);
    expect(originAllowed(policy, 'http://evil.test', '127.0.0.1:8025')).toBe(false);
    expect(originAllowed(policy, 'null', '127.0.0.1:8025')).toBe(false);
    expect(originAllowed(policy, undefined, '127.0.0.1:8025')).toBe(false);
    expect(originAllowed(policy, 'http://evil.test:8025', 'evil.test:8025')).toBe(false);
  });
});
