/**
 * The annotation catalogue (docs/ARCHITECTURE.md, "The catalogue"): every key an engine emits has an
 * entry, found by driving both server engines through sessions that reach
 * every reply, code, keyword and warning, and by reading the keys and codes
 * written in their source; every entry is well formed; the annotators and the
 * transcript use it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pop3CapaAnnotations, pop3ReplyAnnotations, smtpKeywordAnnotations, smtpReplyAnnotations } from '../../core/annotations/annotate.js';
import { allEntries, lookup } from '../../core/annotations/catalogue.js';
import { describeKey } from '../../core/annotations/describe.js';
import { keyKind } from '../../core/annotations/key-kinds.js';
import { FaultPlan } from '../../core/faults/fault-plan.js';
import type { FaultRule } from '../../core/faults/fault-rule.js';
import { parseFaultRule } from '../../core/faults/parse-fault.js';
import type { WireEvent } from '../../core/events.js';
import type { Pop3Backend } from '../../core/pop3/backend.js';
import { apopDigest } from '../../core/sasl/mechanisms.js';
import { DEFAULT_SMTP_PERSONA, RFC5321_TEXTS } from '../../core/smtp/persona.js';
import { renderEvent } from '../../core/render/transcript.js';
import { makeHarness, rfcMaildrop, RFC_TIMESTAMP } from '../helpers/pop3-harness.js';
import { makeSmtpHarness, type SmtpHarness } from '../helpers/smtp-harness.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const ROOT = resolve(__dirname, '../..');

function annotationKeys(events: readonly WireEvent[]): string[] {
  return events.flatMap((event) => (event.kind === 'annotation' ? [event.key] : []));
}

/** A backend whose maildrop never opens, for the RFC 2449 / RFC 3206 failure codes. */
function failingBackend(reason: 'in-use' | 'login-delay' | 'temporary' | 'permanent'): Pop3Backend {
  return { secretOf: async () => 'secret', openMaildrop: async () => ({ ok: false, reason, detail: `cannot open (${reason})` }) };
}

function faultRule(text: string): FaultRule {
  const parsed = parseFaultRule(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.rule;
}

/** Every annotation key a set of POP3 sessions produces. */
async function pop3Keys(): Promise<Set<string>> {
  const keys = new Set<string>();
  const record = (output: { events: readonly WireEvent[] }) => annotationKeys(output.events).forEach((key) => keys.add(key));

  const h = makeHarness({}, rfcMaildrop);
  record(h.greeting);
  for (const line of ['CAPA', 'STLS now', 'FROB', 'USER mrose', 'PASS wrong', 'USER mrose', 'PASS tanstaaf', 'CAPA', 'STAT', 'LIST', 'LIST 9', 'UIDL', 'RETR 1', 'TOP 1 0', 'DELE 2', 'LAST', 'NOOP', 'RSET', 'QUIT']) {
    record(await h.output(line));
  }
  const tls = makeHarness();
  record(await tls.output('STLS'));
  record(tls.session.tlsEstablished({ version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' }));
  record(await tls.output('STLS'));
  const sasl = makeHarness({}, rfcMaildrop);
  for (const line of ['AUTH PLAIN', b64('\0mrose\0tanstaaf'), 'QUIT']) record(await sasl.output(line));
  const cram = makeHarness();
  for (const line of ['AUTH CRAM-MD5', '*', 'AUTH CRAM-MD5', 'not base64!', `APOP mrose ${apopDigest(RFC_TIMESTAMP, 'wrong')}`]) record(await cram.output(line));
  for (const reason of ['in-use', 'login-delay', 'temporary', 'permanent'] as const) {
    const failing = makeHarness({}, undefined, failingBackend(reason));
    record(await failing.output('USER mrose'));
    record(await failing.output('PASS secret'));
  }
  const refusing = makeHarness({ plaintextAuthAllowed: false, tlsAvailable: false });
  record(await refusing.output('USER mrose'));
  record(await refusing.output('CAPA'));
  record(await refusing.session.overlong(255));
  const faulted = makeHarness({ faults: new FaultPlan([faultRule('USER -> "-ERR [SYS/TEMP] scripted"')], () => 0) });
  record(await faulted.output('USER mrose'));
  return keys;
}

/** Every annotation key a set of SMTP sessions produces. */
async function smtpKeys(): Promise<Set<string>> {
  const keys = new Set<string>();
  const record = (output: { events: readonly WireEvent[] }) => annotationKeys(output.events).forEach((key) => keys.add(key));
  const send = async (h: SmtpHarness, lines: readonly string[]) => {
    for (const line of lines) record(await h.output(line));
  };

  const mta = makeSmtpHarness({ maxRecipients: 1, maxBadCommands: 1000, persona: { ...DEFAULT_SMTP_PERSONA, lists: { staff: ['alice@maillab.test'] } } });
  record(mta.greeting);
  await send(mta, ['RCPT TO:<a@b.c>', 'FROB', '', 'HELP', 'HELP FROB', 'VRFY alice', 'EXPN staff', 'EXPN other', 'EHLO client.example', 'AUTH PLAIN', 'MAIL FROM:<bad', 'MAIL FROM:<a@b.c> SIZE=999999999']);
  await send(mta, ['MAIL FROM:<a@b.c> FROB=1', 'MAIL FROM:<ü@b.c>', 'MAIL FROM:<a@b.c>', 'MAIL FROM:<a@b.c>', 'RCPT TO:<bad', 'RCPT TO:<nobody@maillab.test>', 'RCPT TO:<x@elsewhere.example>']);
  await send(mta, ['DATA', 'RCPT TO:<alice@maillab.test>', 'RCPT TO:<bob@maillab.test>', 'DATA']);
  record(await mta.session.receiveData({ message: Buffer.from('Subject: 8 bit \xe9\r\n\r\nhi\r\n', 'latin1'), octets: 26, problems: [] }));
  await send(mta, ['MAIL FROM:<a@b.c>', 'RCPT TO:<alice@maillab.test>', 'DATA']);
  record(await mta.session.receiveData({ message: undefined, octets: 99_999_999, problems: ['too-big'] }));
  await send(mta, ['MAIL FROM:<a@b.c>', 'RCPT TO:<alice@maillab.test>', 'BDAT 5 LAST']);
  record(await mta.session.receiveChunk({ bytes: Buffer.from('hi\r\n\r'), octets: 5 }));
  record(await mta.session.receiveLine({ bytes: Buffer.from('NOOP'), bareLf: true, bareCr: false }));
  record(mta.session.overlong(512));
  await send(mta, ['STARTTLS']);
  record(mta.session.tlsEstablished({ version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' }));
  await send(mta, ['HELO client.example', 'STARTTLS', 'RSET', 'QUIT']);

  const submission = makeSmtpHarness({ listener: 'submission', maxBadCommands: 1000 });
  await send(submission, ['EHLO client.example', 'MAIL FROM:<a@b.c>', 'AUTH FROB', 'AUTH LOGIN', b64('alice'), b64('wrong'), 'AUTH CRAM-MD5', '*']);
  await send(submission, [`AUTH PLAIN ${b64('\0alice\0wonderland')}`, 'AUTH PLAIN']);
  const encrypted = makeSmtpHarness({ listener: 'submission', plaintextAuthAllowed: false, tlsAvailable: false, persona: { ...DEFAULT_SMTP_PERSONA, authBeforeTls: 'encryption-required' } });
  await send(encrypted, ['EHLO client.example', 'STARTTLS', 'AUTH PLAIN']);
  const d1 = makeSmtpHarness({ persona: { ...DEFAULT_SMTP_PERSONA, hostname: 'foo.com', texts: RFC5321_TEXTS, enhancedStatusCodes: false, ehloKeywords: ['8BITMIME', 'SIZE', 'DSN', 'HELP'] } });
  await send(d1, ['EHLO bar.com']);
  record(makeSmtpHarness().session.timeout());
  record(makeSmtpHarness().session.earlyTalker());
  const noisy = makeSmtpHarness({ maxBadCommands: 2 });
  await send(noisy, ['FROB', 'FROB']);
  const faulted = makeSmtpHarness({ faults: new FaultPlan([faultRule('NOOP -> "451 4.3.0 scripted"')], () => 0) });
  await send(faulted, ['NOOP']);
  return keys;
}

describe('every key the engines emit has an entry', () => {
  it('POP3: replies, response codes, CAPA tags, commands, notices and warnings', async () => {
    const keys = await pop3Keys();
    const missing = [...keys].filter((key) => !lookup(key));
    expect(missing).toEqual([]);
    for (const expected of ['pop3.reply.ok', 'pop3.reply.err', 'pop3.reply.continue', 'pop3.code.IN-USE', 'pop3.code.LOGIN-DELAY', 'pop3.code.SYS/TEMP', 'pop3.code.SYS/PERM', 'pop3.code.AUTH']) {
      expect(keys, expected).toContain(expected);
    }
    for (const expected of ['pop3.capa.STLS', 'pop3.capa.SASL', 'pop3.capa.IMPLEMENTATION', 'pop3.sasl.challenge', 'pop3.tls.established', 'pop3.warning.cleartext-password', 'pop3.command.LAST', 'lab.fault.applied']) {
      expect(keys, expected).toContain(expected);
    }
  });

  it('SMTP: reply codes, enhanced codes, EHLO keywords, commands, notices and warnings', async () => {
    const keys = await smtpKeys();
    const missing = [...keys].filter((key) => !lookup(key));
    expect(missing).toEqual([]);
    for (const expected of ['smtp.reply.220', 'smtp.reply.235', 'smtp.reply.334', 'smtp.reply.354', 'smtp.reply.421', 'smtp.reply.452', 'smtp.reply.454', 'smtp.reply.530', 'smtp.reply.535', 'smtp.reply.538', 'smtp.reply.555']) {
      expect(keys, expected).toContain(expected);
    }
    for (const expected of ['smtp.enhanced.2.1.5', 'smtp.enhanced.4.5.3', 'smtp.enhanced.5.1.1', 'smtp.enhanced.5.7.8', 'smtp.enhanced.5.7.11', 'smtp.enhanced.5.6.7', 'smtp.keyword.DSN', 'smtp.keyword.AUTH', 'lab.fault.applied']) {
      expect(keys, expected).toContain(expected);
    }
    for (const expected of ['smtp.sasl.challenge', 'smtp.auth.authenticated', 'smtp.warning.cleartext-password', 'smtp.warning.bare-lf-command', 'smtp.warning.8bit-without-8bitmime']) {
      expect(keys, expected).toContain(expected);
    }
  });

  /** The TypeScript sources under some folders of the repository. */
  function sourcesUnder(...folders: string[]): string[] {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (entry.name.endsWith('.ts')) files.push(readFileSync(join(dir, entry.name), 'utf8'));
      }
    };
    for (const folder of folders) if (existsSync(join(ROOT, folder))) walk(join(ROOT, folder));
    return files;
  }
  const engineSources = () => sourcesUnder('core/pop3', 'core/smtp');

  it('and so has every key, reply code, enhanced code and response code written in their source', () => {
    const sources = engineSources().join('\n');
    const keys = [...sources.matchAll(/key: '([a-z0-9]+\.[^']+)'/g)].map((match) => match[1]!);
    const replies = [...sources.matchAll(/reply\((\d{3}), (?:'([245]\.\d+\.\d+)'|undefined)/g)];
    const codes = [...sources.matchAll(/\berr\([^;]*?, '([A-Z/-]+)'\)/g)].map((match) => `pop3.code.${match[1]}`);
    const responseCodes = [...sources.matchAll(/'in-use': '([A-Z/-]+)', 'login-delay': '([A-Z/-]+)', temporary: '([A-Z/-]+)', permanent: '([A-Z/-]+)'/g)].flatMap((match) => match.slice(1).map((code) => `pop3.code.${code}`));
    expect(keys.length).toBeGreaterThan(5);
    expect(replies.length).toBeGreaterThan(30);
    expect(responseCodes).toHaveLength(4);
    const wanted = [...keys, ...replies.flatMap((match) => [`smtp.reply.${match[1]}`, ...(match[2] ? [`smtp.enhanced.${match[2]}`] : [])]), ...codes, ...responseCodes];
    expect(wanted.filter((key) => !lookup(key))).toEqual([]);
  });

  it('and so has every key written in the client trackers, which annotate servers maillab did not write', () => {
    const sources = sourcesUnder('core/client').join('\n');
    const keys = [...sources.matchAll(/'((?:pop3|smtp)\.[a-z0-9-]+\.[A-Za-z0-9./-]+)'/g)].map((match) => match[1]!);
    expect(keys.filter((key) => !lookup(key))).toEqual([]);
  });
});

describe('every entry', () => {
  const entries = allEntries();

  it('has a key of a known family, a title, a summary and an RFC reference', () => {
    expect(entries.length).toBeGreaterThan(200);
    for (const entry of entries) {
      expect(keyKind(entry.key), entry.key).toBeDefined();
      expect(entry.title.trim(), entry.key).not.toBe('');
      expect(entry.summary.trim(), entry.key).not.toBe('');
      // lab.* entries describe the lab's own doing (fault rules), which no RFC defines. A few registered
      // codes and keywords have no RFC: an Internet-Draft (X.7.28, PRDR) or only the IANA registry (VERB, ONEX).
      const reference = entry.key.startsWith('lab.') ? /^maillab lab$/ : /^(RFC \d+( §\d+(\.\d+)*)?|draft-[a-z0-9-]+|IANA registry \(no RFC\))$/;
      expect(entry.rfc, entry.key).toMatch(reference);
    }
  });

  it('keys are unique', () => {
    const keys = entries.map((entry) => entry.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('covers every RFC 5321 reply code and its extensions, and both digit tables', () => {
    const codes = [211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432, 450, 451, 452, 454, 455, 500, 501, 502, 503, 504, 530, 534, 535, 538, 550, 551, 552, 553, 554, 555];
    for (const code of codes) expect(lookup(`smtp.reply.${code}`), String(code)).toBeDefined();
    for (const digit of [2, 3, 4, 5]) expect(lookup(`smtp.digit1.${digit}`)).toBeDefined();
    for (const digit of [0, 1, 2, 3, 4, 5]) expect(lookup(`smtp.digit2.${digit}`)).toBeDefined();
  });

  it('covers every RFC 3463 detail code in at least one class, and every class and subject', () => {
    const details = ['0.0', '1.0', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '2.0', '2.1', '2.2', '2.3', '2.4', '3.0', '3.1', '3.2', '3.3', '3.4', '3.5'];
    details.push('4.0', '4.1', '4.2', '4.3', '4.4', '4.5', '4.6', '4.7', '5.0', '5.1', '5.2', '5.3', '5.4', '5.5', '6.0', '6.1', '6.2', '6.3', '6.4', '6.5');
    details.push('7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '7.7');
    for (const detail of details) expect(['2', '4', '5'].some((cls) => lookup(`smtp.enhanced.${cls}.${detail}`)), detail).toBe(true);
    for (const code of ['5.7.8', '5.7.9', '5.7.11', '4.7.12', '5.5.6', '4.7.0', '5.7.0', '2.7.0', '5.6.7']) expect(lookup(`smtp.enhanced.${code}`), code).toBeDefined();
    for (const cls of [2, 4, 5]) expect(lookup(`smtp.enhanced-class.${cls}`)).toBeDefined();
    for (const subject of [0, 1, 2, 3, 4, 5, 6, 7]) expect(lookup(`smtp.enhanced-subject.${subject}`)).toBeDefined();
  });

  it('covers the RFC 2449 and RFC 3206 CAPA tags and response codes, and the common EHLO keywords', () => {
    for (const tag of ['TOP', 'USER', 'SASL', 'RESP-CODES', 'LOGIN-DELAY', 'PIPELINING', 'EXPIRE', 'UIDL', 'IMPLEMENTATION', 'AUTH-RESP-CODE', 'STLS']) {
      expect(lookup(`pop3.capa.${tag}`), tag).toBeDefined();
    }
    for (const code of ['IN-USE', 'LOGIN-DELAY', 'SYS/TEMP', 'SYS/PERM', 'AUTH']) expect(lookup(`pop3.code.${code}`), code).toBeDefined();
    for (const keyword of ['PIPELINING', 'SIZE', '8BITMIME', 'SMTPUTF8', 'CHUNKING', 'BINARYMIME', 'ENHANCEDSTATUSCODES', 'STARTTLS', 'AUTH', 'DSN', 'HELP', 'VRFY', 'ETRN', 'DELIVERBY']) {
      expect(lookup(`smtp.keyword.${keyword}`), keyword).toBeDefined();
    }
  });

  it('LAST is marked historic: removed by RFC 1725', () => {
    expect(lookup('pop3.command.LAST')?.historic).toMatch(/RFC 1725/);
    expect(entries.filter((entry) => entry.historic).map((entry) => entry.key)).toEqual(['pop3.command.LAST']);
  });
});

describe('the annotators', () => {
  it('POP3 status lines: the indicator, then the response code', () => {
    expect(pop3ReplyAnnotations('-ERR [IN-USE] maildrop locked').map((event) => [event.key, event.rfc])).toEqual([
      ['pop3.reply.err', 'RFC 1939 §3'],
      ['pop3.code.IN-USE', 'RFC 2449 §8.1.2'],
    ]);
    expect(pop3ReplyAnnotations('+ ').map((event) => event.key)).toEqual(['pop3.reply.continue']);
  });

  it('an unknown level of a hierarchical response code falls back to the known prefix (RFC 2449 §8)', () => {
    expect(pop3ReplyAnnotations('-ERR [sys/temp/disk-full] try later').map((event) => event.key)).toEqual(['pop3.reply.err', 'pop3.code.SYS/TEMP']);
    expect(pop3ReplyAnnotations('-ERR [FROB] what').map((event) => event.key)).toEqual(['pop3.reply.err', 'pop3.code.FROB']);
  });

  it('SMTP replies carry the RFC section of their entry', () => {
    expect(smtpReplyAnnotations(354).map((event) => [event.key, event.rfc])).toEqual([['smtp.reply.354', 'RFC 5321 §4.1.1.4']]);
    expect(smtpReplyAnnotations(550, '5.1.1').map((event) => [event.key, event.rfc])).toEqual([
      ['smtp.reply.550', 'RFC 5321 §4.2.2'],
      ['smtp.enhanced.5.1.1', 'RFC 3463 §3.2'],
    ]);
  });

  it('keyword lines keep the whole line as detail; "AUTH=LOGIN PLAIN" is AUTH', () => {
    expect(smtpKeywordAnnotations(['SIZE 1000', 'AUTH=LOGIN PLAIN'])).toEqual([
      { kind: 'annotation', about: 'keyword', key: 'smtp.keyword.SIZE', rfc: 'RFC 1870 §4', detail: 'SIZE 1000' },
      // The number in words, from the shared context notes (core/annotations/reply-context.ts).
      { kind: 'annotation', about: 'keyword', key: 'smtp.context.size', rfc: 'RFC 1870 §4', detail: 'the largest message accepted: 1,000 octets' },
      { kind: 'annotation', about: 'keyword', key: 'smtp.keyword.AUTH', rfc: 'RFC 4954 §3', detail: 'AUTH=LOGIN PLAIN' },
    ]);
    expect(pop3CapaAnnotations(['EXPIRE NEVER'])).toEqual([
      { kind: 'annotation', about: 'keyword', key: 'pop3.capa.EXPIRE', rfc: 'RFC 2449 §6.7', detail: 'EXPIRE NEVER' },
      { kind: 'annotation', about: 'keyword', key: 'pop3.context.capa-time', rfc: 'RFC 2449 §6.7', detail: 'messages are never removed by the server' },
    ]);
  });
});

describe('the engines annotate replies and keywords', () => {
  it('POP3: every reply gets its status annotation after its lines; only CAPA gets tag annotations', async () => {
    const h = makeHarness({}, rfcMaildrop);
    expect(annotationKeys(h.greeting.events)).toEqual(['pop3.reply.ok']);
    await h.send('USER mrose');
    await h.send('PASS tanstaaf');
    const list = await h.output('LIST');
    expect(list.events.map((event) => event.kind)).toEqual(['line', 'annotation', 'line', 'body', 'annotation', 'annotation']);
    expect(annotationKeys(list.events)).toEqual(['pop3.command.LIST', 'pop3.reply.ok', 'pop3.context.listing']);
    const capa = await h.output('CAPA');
    const tags = capa.events.filter((event) => event.kind === 'annotation' && event.key.startsWith('pop3.capa.'));
    expect(tags.map((event) => (event.kind === 'annotation' ? event.detail : ''))).toEqual(['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'LOGIN-DELAY 0', 'EXPIRE NEVER', 'IMPLEMENTATION maillab']);
    expect(capa.events.at(-1)).toMatchObject({ kind: 'annotation', about: 'keyword', key: 'pop3.capa.IMPLEMENTATION' });
  });

  it('SMTP: the enhanced code is annotated only when it is on the wire', async () => {
    const enhanced = makeSmtpHarness();
    const rcpt = await enhanced.output('RCPT TO:<a@b.c>');
    expect(annotationKeys(rcpt.events)).toEqual(['smtp.command.RCPT', 'smtp.reply.503', 'smtp.enhanced.5.5.1']);
    const plain = makeSmtpHarness({ persona: { ...DEFAULT_SMTP_PERSONA, enhancedStatusCodes: false } });
    expect(annotationKeys((await plain.output('RCPT TO:<a@b.c>')).events)).toEqual(['smtp.command.RCPT', 'smtp.reply.503']);
  });

  it('SMTP: EHLO annotates each keyword after the reply; HELO has none', async () => {
    const h = makeSmtpHarness();
    const ehlo = await h.output('EHLO client.example');
    const keys = annotationKeys(ehlo.events);
    expect(keys.slice(0, 2)).toEqual(['smtp.command.EHLO', 'smtp.reply.250']);
    expect(keys.filter((key) => key.startsWith('smtp.context.'))).toEqual(['smtp.context.size']);
    expect(keys.slice(2).filter((key) => !key.startsWith('smtp.context.'))).toEqual(['PIPELINING', 'SIZE', '8BITMIME', 'SMTPUTF8', 'CHUNKING', 'ENHANCEDSTATUSCODES', 'STARTTLS', 'DSN', 'HELP'].map((keyword) => `smtp.keyword.${keyword}`));
    const helo = await makeSmtpHarness().output('HELO client.example');
    expect(annotationKeys(helo.events)).toEqual(['smtp.command.HELO', 'smtp.reply.250']);
  });
});

describe('codes nobody listed are read from their parts', () => {
  it('an SMTP reply code from its two digits (RFC 5321 §4.2.1)', () => {
    const entry = describeKey('smtp.reply.529');
    expect(entry).toMatchObject({ key: 'smtp.reply.529', rfc: 'RFC 5321 §4.2.1' });
    expect(entry?.summary).toContain('5yz Permanent Negative Completion reply');
    expect(entry?.summary).toContain('x2z Connections');
    expect(describeKey('smtp.reply.199')).toBeUndefined();
  });

  it('an enhanced code from its class and subject (RFC 3463 §2), or a detail another class defines', () => {
    expect(describeKey('smtp.enhanced.5.9.9')).toMatchObject({ rfc: 'RFC 3463 §2' });
    expect(describeKey('smtp.enhanced.4.7.99')?.summary).toMatch(/Persistent Transient Failure.*Security or Policy Status/);
    expect(describeKey('smtp.enhanced.4.7.8')).toMatchObject({ title: '4.7.8 Authentication credentials invalid', rfc: 'RFC 4954 §6' });
    expect(describeKey('smtp.enhanced.4.7.8')?.summary).toContain('RFC 4954 §6 registers this detail for 5.7.8; sent with class 4, the class says what happened');
  });
});

describe('the transcript renders annotations from the catalogue', () => {
  it('replies with their title, summary and RFC section', () => {
    const text = renderEvent({ kind: 'annotation', about: 'reply', key: 'smtp.reply.354', rfc: 'RFC 5321 §4.1.1.4' });
    expect(text).toMatch(/^ {3}= 354 Start mail input: DATA accepted: .* \(RFC 5321 §4\.1\.1\.4\)$/);
  });

  it('keywords in one short line with the advertised parameters', () => {
    expect(renderEvent({ kind: 'annotation', about: 'keyword', key: 'smtp.keyword.SIZE', rfc: 'RFC 1870 §4', detail: 'SIZE 1000' })).toBe('   + SIZE 1000: message size declaration (RFC 1870 §4)');
    expect(renderEvent({ kind: 'annotation', about: 'keyword', key: 'smtp.keyword.XFROB', rfc: 'RFC 5321 §4.1.1.1', detail: 'XFROB' })).toBe('   + XFROB: not in the catalogue (RFC 5321 §4.1.1.1)');
  });

  it('warnings prominently, with their detail', () => {
    const text = renderEvent({ kind: 'annotation', about: 'warning', key: 'smtp.warning.bare-lf-command', rfc: 'RFC 5321 §2.3.8', detail: 'this command ended with LF alone' });
    expect(text).toBe('   !! WARNING Command ended with a bare LF: this command ended with LF alone (RFC 5321 §2.3.8)');
  });

  it('detail in place of the summary (a decoded SASL challenge), and a code read from its digits', () => {
    expect(renderEvent({ kind: 'annotation', about: 'reply', key: 'smtp.sasl.challenge', rfc: 'RFC 4954 §4', detail: 'Username:' })).toBe('   = SASL challenge (SMTP): Username: (RFC 4954 §4)');
    expect(renderEvent({ kind: 'annotation', about: 'reply', key: 'smtp.reply.529', rfc: 'RFC 5321 §4.2' })).toMatch(/^ {3}= 529 \(read from its digits\): /);
    expect(renderEvent({ kind: 'annotation', about: 'state', key: 'no.such.key', rfc: 'RFC 1 §1' })).toBe('   = no explanation in the catalogue (RFC 1 §1)');
  });
});

describe('no raw catalogue key reaches the screen (issue 9)', () => {
  /** Every .ts file under core/. */
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));

  it('every annotation key written literally in core/ has words in the catalogue', () => {
    const keys = new Set<string>();
    for (const file of sources(resolve(__dirname, '../../core'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/key: '([a-z0-9]+\.[A-Za-z0-9.+-]+)'/g)) keys.add(match[1]!);
      // `${protocol}.warning.x` style keys: both protocols.
      for (const match of text.matchAll(/key: `\$\{[^}]*protocol\}\.([a-z0-9.-]+)`/g)) for (const protocol of ['pop3', 'smtp']) keys.add(`${protocol}.${match[1]!}`);
    }
    expect(keys.size).toBeGreaterThan(10);
    expect([...keys].filter((key) => !key.startsWith('no.') && lookup(key) === undefined)).toEqual([]);
  });
});
