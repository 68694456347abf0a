/**
 * maillab's SMTP listeners against Python's smtplib, a client maillab did not
 * write, over real TCP and TLS on 127.0.0.1, with real Maildir delivery.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLab, type TestLab } from '../helpers/lab.js';
import { runPython } from '../helpers/python.js';

let lab: TestLab;
beforeAll(async () => {
  // Outbound delivery on for one domain (the queue runner stays off): relayed mail is queued, not sent.
  lab = await startTestLab({ maxMessageSize: 50_000, outbound: { domains: ['elsewhere.example'], addresses: [] } });
});
afterAll(() => lab.stop());

const PRELUDE = `
import json, os, smtplib, ssl, base64
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
MTA = int(os.environ['MTA']); SUB = int(os.environ['SUB']); SMTPS = int(os.environ['SMTPS'])
def err(e): return [e.smtp_code, e.smtp_error.decode()] if hasattr(e, 'smtp_code') else repr(e)
`;

function ports() {
  return { MTA: lab.smtpPort, SUB: lab.submissionPort, SMTPS: lab.smtpsPort };
}

function maildir(user: string): string[] {
  const root = join(lab.data.mailRoot, user);
  return ['new', 'cur'].flatMap((sub) => readdirSync(join(root, sub)).map((name) => readFileSync(join(root, sub, name), 'latin1')));
}

describe('smtplib against the MTA port', () => {
  it('EHLO lists the extensions; a message to a local user lands in the Maildir with trace headers', async () => {
    const before = maildir('bob').length;
    const result = await runPython<{ features: Record<string, string>; refused: object }>(
      `${PRELUDE}
s = smtplib.SMTP('127.0.0.1', MTA); s.ehlo('client.example')
features = dict(s.esmtp_features)
refused = s.sendmail('carol@example.org', ['bob@maillab.test'], b'Subject: smtplib test\\r\\n\\r\\nHello Bob\\r\\n.leading dot\\r\\n')
s.quit()
print(json.dumps({'features': features, 'refused': refused}))`,
      ports(),
    );
    expect(Object.keys(result.features).sort()).toEqual(['8bitmime', 'chunking', 'dsn', 'enhancedstatuscodes', 'help', 'pipelining', 'size', 'smtputf8', 'starttls']);
    expect(result.features.size).toBe('50000');
    expect(result.refused).toEqual({});
    const messages = maildir('bob');
    expect(messages).toHaveLength(before + 1);
    const message = messages.find((m) => m.includes('Subject: smtplib test'))!;
    expect(message).toMatch(/^Return-Path: <carol@example\.org>\r\nReceived: from client\.example \(\[127\.0\.0\.1\]\)\r\n\tby maillab\.test with ESMTP id \w+\r\n\tfor <bob@maillab\.test>;\r\n\t\w{3}, \d+ \w{3} \d{4} [\d:]{8} \+0000\r\nSubject: smtplib test\r\n\r\nHello Bob\r\n\.leading dot\r\n$/);
  });

  it('refuses relaying and unknown local users, every time', async () => {
    const result = await runPython<{ relay: unknown[]; unknown: unknown[] }>(
      `${PRELUDE}
out = {}
for key, rcpt in [('relay', 'someone@example.com'), ('unknown', 'nobody@maillab.test')]:
    s = smtplib.SMTP('127.0.0.1', MTA); s.ehlo()
    try:
        s.sendmail('a@example.org', [rcpt], b'Subject: x\\r\\n\\r\\nx\\r\\n'); out[key] = 'accepted'
    except smtplib.SMTPRecipientsRefused as e:
        out[key] = list(e.recipients[rcpt]); out[key][1] = out[key][1].decode()
    s.quit()
print(json.dumps(out))`,
      ports(),
    );
    expect(result.relay).toEqual([550, expect.stringMatching(/^5\.7\.1 Relay access denied/)]);
    expect(result.unknown).toEqual([550, expect.stringMatching(/^5\.1\.1 no such user here/)]);
  });

  it('enforces SIZE at MAIL and during DATA (552)', async () => {
    const result = await runPython<{ declared: unknown; undeclared: unknown }>(
      `${PRELUDE}
big = b'Subject: big\\r\\n\\r\\n' + (b'x' * 998 + b'\\r\\n') * 60
s = smtplib.SMTP('127.0.0.1', MTA); s.ehlo()
try: s.sendmail('a@example.org', ['bob@maillab.test'], big); declared = 'accepted'
except smtplib.SMTPSenderRefused as e: declared = err(e)
s.quit()
s = smtplib.SMTP('127.0.0.1', MTA); s.ehlo(); s.does_esmtp = False; s.esmtp_features = {}
s.mail('a@example.org'); s.rcpt('bob@maillab.test')
code, text = s.data(big); undeclared = [code, text.decode()]
s.quit()
print(json.dumps({'declared': declared, 'undeclared': undeclared}))`,
      ports(),
    );
    expect(result.declared).toEqual([552, expect.stringMatching(/^5\.3\.4 Message size \d+ exceeds fixed maximum message size 50000 \(RFC 1870 section 6\)$/)]);
    expect(result.undeclared).toEqual([552, expect.stringMatching(/^5\.3\.4 Message exceeds fixed maximum message size of 50000 octets \(RFC 1870 section 6\)/)]);
  });

  it('accepts an 8BITMIME body and an SMTPUTF8 address', async () => {
    const result = await runPython<{ refused: object }>(
      `${PRELUDE}
s = smtplib.SMTP('127.0.0.1', MTA); s.ehlo()
msg = 'Subject: ünïcödé\\r\\n\\r\\nGrüße aus Köln\\r\\n'.encode('utf-8')
refused = s.sendmail('jörg@exämple.org', ['alice@maillab.test'], msg, mail_options=['SMTPUTF8', 'BODY=8BITMIME'])
s.quit()
print(json.dumps({'refused': refused}))`,
      ports(),
    );
    expect(result.refused).toEqual({});
    const message = maildir('alice').map((m) => Buffer.from(m, 'latin1').toString('utf8')).find((m) => m.includes('Grüße aus Köln'));
    expect(message).toMatch(/^Return-Path: <jörg@exämple\.org>\r\nReceived: from [\s\S]* with UTF8SMTP id/);
  });
});

describe('smtplib against submission', () => {
  it('requires AUTH before MAIL, offers plaintext AUTH on loopback, and authenticates with PLAIN, LOGIN and CRAM-MD5', async () => {
    const result = await runPython<Record<string, unknown>>(
      `${PRELUDE}
out = {}
s = smtplib.SMTP('127.0.0.1', SUB); s.ehlo()
out['auth'] = s.esmtp_features.get('auth', '').split()
code, text = s.mail('bob@maillab.test')
out['mail_without_auth'] = [code, text.decode()]
s.quit()
for mech in ['PLAIN', 'LOGIN', 'CRAM-MD5']:
    s = smtplib.SMTP('127.0.0.1', SUB); s.ehlo()
    s.user, s.password = 'bob', 'builder'
    auth = {'PLAIN': s.auth_plain, 'LOGIN': s.auth_login, 'CRAM-MD5': s.auth_cram_md5}[mech]
    out[mech] = list(s.auth(mech, auth, initial_response_ok=(mech == 'PLAIN')))
    out[mech][1] = out[mech][1].decode()
    s.quit()
s = smtplib.SMTP('127.0.0.1', SUB); s.ehlo()
try: s.login('bob', 'wrong'); out['wrong'] = 'accepted'
except smtplib.SMTPAuthenticationError as e: out['wrong'] = err(e)
s.quit()
print(json.dumps(out))`,
      ports(),
    );
    expect(result.auth).toEqual(['PLAIN', 'LOGIN', 'CRAM-MD5']);
    expect(result.mail_without_auth).toEqual([530, expect.stringMatching(/^5\.7\.0 Authentication required/)]);
    expect(result.PLAIN).toEqual([235, '2.7.0 Authentication successful']);
    expect(result.LOGIN).toEqual([235, '2.7.0 Authentication successful']);
    expect(result['CRAM-MD5']).toEqual([235, '2.7.0 Authentication successful']);
    expect(result.wrong).toEqual([535, expect.stringMatching(/^5\.7\.8 Authentication credentials invalid/)]);
  });

  it('STARTTLS with verification off, then AUTH and a relayed message queued durably', async () => {
    const result = await runPython<{ before: string[]; after: string[]; tls: boolean; refused: object }>(
      `${PRELUDE}
s = smtplib.SMTP('127.0.0.1', SUB); s.ehlo()
before = sorted(s.esmtp_features.keys())
s.starttls(context=ctx); s.ehlo()
after = sorted(s.esmtp_features.keys())
s.login('alice', 'wonderland')
refused = s.sendmail('alice@maillab.test', ['friend@elsewhere.example', 'bob@maillab.test'], b'Subject: relayed\\r\\n\\r\\nto the queue\\r\\n')
s.quit()
print(json.dumps({'before': before, 'after': after, 'tls': True, 'refused': refused}))`,
      ports(),
    );
    expect(result.before).toContain('starttls');
    expect(result.after).not.toContain('starttls');
    expect(result.after).toContain('auth');
    expect(result.refused).toEqual({});
    const queue = join(lab.data.root, 'queue');
    const envelopes = readdirSync(queue).filter((name) => name.endsWith('.json')).map((name) => JSON.parse(readFileSync(join(queue, name), 'utf8')));
    const entry = envelopes.find((e) => e.recipients.includes('friend@elsewhere.example'));
    expect(entry).toMatchObject({ from: 'alice@maillab.test', recipients: ['friend@elsewhere.example'], attempts: 0 });
    expect(readFileSync(join(queue, `${entry.id}.eml`), 'latin1')).toMatch(/with ESMTPSA id .*\r\nSubject: relayed\r\n\r\nto the queue\r\n$/s);
    expect(maildir('bob').some((m) => m.includes('Subject: relayed'))).toBe(true);
  });

  it('SMTPS: implicit TLS submission', async () => {
    const result = await runPython<{ version: string; login: unknown[] }>(
      `${PRELUDE}
s = smtplib.SMTP_SSL('127.0.0.1', SMTPS, context=ctx); s.ehlo()
version = s.sock.version()
login = list(s.login('bob', 'builder')); login[1] = login[1].decode()
s.sendmail('bob@maillab.test', ['alice@maillab.test'], b'Subject: over smtps\\r\\n\\r\\nimplicit TLS\\r\\n')
s.quit()
print(json.dumps({'version': version, 'login': login}))`,
      ports(),
    );
    expect(result.version).toMatch(/^TLSv1\.[23]$/);
    expect(result.login).toEqual([235, '2.7.0 Authentication successful']);
    expect(maildir('alice').some((m) => m.includes('Subject: over smtps') && m.includes('with ESMTPSA'))).toBe(true);
  });
});
