/**
 * DSN for real (RFC 3461, RFC 3464): the parameters checked and carried with
 * the message, and the reports the lab sends, parsed back with mailparser
 * (a MIME parser we did not write).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { createMemorySmtpBackend } from '../../core/store/memory-smtp-backend.js';
import { createSmtpBackend } from '../../core/lab/smtp-backend.js';
import { OutboundQueue } from '../../core/store/outbound-queue.js';
import { buildDsn, reportWanted, type DsnInput } from '../../core/send/dsn-report.js';
import { attemptReports } from '../../core/send/queue-reports.js';
import type { RecipientResult } from '../../core/send/smtp-dialogue.js';
import { checkEnvid, checkNotify, checkOrcpt, decodeXtext, encodeXtext, MAX_ENVID } from '../../core/smtp/dsn-parameters.js';
import { MemoryStore } from '../../core/store/memory-store.js';
import { StaticUsers } from '../../core/store/user-directory.js';
import { makeSmtpHarness } from '../helpers/smtp-harness.js';

const ORIGINAL = Buffer.from('From: alice@maillab.test\r\nTo: bob@remote.test\r\nSubject: hello\r\nMessage-ID: <m1@maillab.test>\r\n\r\nthe body\r\n');

describe('the DSN parameters (RFC 3461 §4)', () => {
  it('xtext: printable ASCII but "+" and "=", which are +XX in upper-case hex', () => {
    expect(decodeXtext('QQ+2B314+3D')).toBe('QQ+314=');
    expect(decodeXtext('a b')).toBeUndefined();
    expect(decodeXtext('a+2b')).toBeUndefined();
    expect(decodeXtext('a=b')).toBeUndefined();
    expect(encodeXtext('Bob+tag=1 x@example.org')).toBe('Bob+2Btag+3D1+20x@example.org');
    expect(decodeXtext(encodeXtext('Bob+tag=1 x@example.org'))).toBe('Bob+tag=1 x@example.org');
  });

  it('ENVID is xtext of at most 100 characters; NOTIFY is NEVER alone or conditions once each; ORCPT is atom;xtext', () => {
    expect(checkEnvid('x'.repeat(MAX_ENVID))).toMatchObject({ ok: true });
    expect(checkEnvid('x'.repeat(MAX_ENVID + 1))).toMatchObject({ ok: false, reason: expect.stringMatching(/at most 100 \(RFC 3461 §4\.4\)/) });
    expect(checkNotify('success,DELAY')).toEqual({ ok: true, value: ['SUCCESS', 'DELAY'] });
    expect(checkNotify('NEVER,FAILURE')).toMatchObject({ ok: false, reason: expect.stringMatching(/stands alone/) });
    expect(checkNotify('FAILURE,FAILURE')).toMatchObject({ ok: false, reason: expect.stringMatching(/twice/) });
    expect(checkOrcpt('rfc822;Bob+2Btag@example.org')).toEqual({ ok: true, value: { type: 'rfc822', address: 'Bob+tag@example.org' } });
    expect(checkOrcpt('bob@example.org')).toMatchObject({ ok: false });
    expect(checkOrcpt(`rfc822;${'b'.repeat(495)}`)).toMatchObject({ ok: false, reason: expect.stringMatching(/at most 500/) });
  });

  it('the engine offers DSN, refuses a malformed value with 501 and its reason, and carries the rest with the message', async () => {
    const h = makeSmtpHarness();
    expect(await h.send('EHLO client.example')).toMatch(/\r\n250-DSN\r\n/);
    expect(await h.send('MAIL FROM:<sender@client.example> RET=PARTIAL')).toBe('501 5.5.4 RET takes FULL or HDRS (RFC 3461 section 4.3)\r\n');
    expect(await h.send('MAIL FROM:<sender@client.example> ENVID=a=b')).toMatch(/^501 5\.5\.4 ENVID is not xtext/);
    expect(await h.send('MAIL FROM:<sender@client.example> RET=FULL ENVID=QQ314159')).toMatch(/^250 /);
    expect(await h.send('RCPT TO:<alice@maillab.test> NOTIFY=NEVER,DELAY')).toMatch(/^501 5\.5\.4 NOTIFY=NEVER stands alone/);
    expect(await h.send('RCPT TO:<alice@maillab.test> ORCPT=alice')).toMatch(/^501 5\.5\.4 ORCPT is addr-type;address/);
    expect(await h.send('RCPT TO:<alice@maillab.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Alice@maillab.test')).toMatch(/^250 /);
    await h.send('DATA');
    expect(await h.data('Subject: x\r\n\r\nbody\r\n')).toMatch(/^250 /);
    expect(h.delivered[0]!.envelope).toMatchObject({ ret: 'FULL', envid: 'QQ314159', recipients: [{ notify: 'SUCCESS,FAILURE', orcpt: 'rfc822;Alice@maillab.test' }] });
  });
});

describe('the reports (RFC 3464)', () => {
  const input = (over: Partial<DsnInput> = {}): DsnInput => ({
    hostname: 'maillab.test',
    sender: 'alice@maillab.test',
    envid: 'QQ314159',
    arrivalDate: new Date(Date.UTC(2026, 0, 1)),
    date: new Date(Date.UTC(2026, 0, 2)),
    recipients: [{ recipient: 'bob@remote.test', orcpt: 'rfc822;Bob@remote.test', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 No such user', remoteMta: 'mx.remote.test' }],
    original: ORIGINAL,
    ...over,
  });

  it('NOTIFY decides: NEVER nothing, SUCCESS only when asked, FAILURE and DELAY by default (§4.1)', () => {
    expect(reportWanted('NEVER', 'failed')).toBe(false);
    expect(reportWanted(undefined, 'failed')).toBe(true);
    expect(reportWanted(undefined, 'delayed')).toBe(true);
    expect(reportWanted(undefined, 'delivered')).toBe(false);
    expect(reportWanted(undefined, 'relayed')).toBe(false);
    expect(reportWanted('SUCCESS', 'delivered')).toBe(true);
    expect(reportWanted('FAILURE', 'delayed')).toBe(false);
  });

  it('a failure report parses as multipart/report with the delivery-status fields and the header of the original', async () => {
    const report = await buildDsn(input());
    const parsed = await simpleParser(report!);
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/report', params: { 'report-type': 'delivery-status' } });
    expect(parsed.subject).toBe('Delivery Status Notification (Failure)');
    expect(parsed.inReplyTo).toBe('<m1@maillab.test>');
    // mailparser reads message/delivery-status as text, after the human-readable part.
    expect(parsed.text).toContain('Original-Envelope-Id: QQ314159\nReporting-MTA: dns; maillab.test\n');
    expect(parsed.text).toContain('Original-Recipient: rfc822; Bob@remote.test\nFinal-Recipient: rfc822; bob@remote.test\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.remote.test\nDiagnostic-Code: smtp; 550 5.1.1 No such user\n');
    expect(report!.toString('latin1')).toMatch(/\r\nContent-Type: message\/delivery-status\r\n\r\nOriginal-Envelope-Id: QQ314159\r\n/);
    const headers = parsed.attachments.find((part) => part.contentType === 'text/rfc822-headers')!.content.toString();
    expect(headers).toContain('Subject: hello');
    expect(headers).not.toContain('the body');
  });

  it('RET=FULL returns the whole message with a failure; a delay report carries the header only and Will-Retry-Until', async () => {
    const full = await simpleParser((await buildDsn(input({ ret: 'FULL' })))!);
    expect(full.attachments.map((part) => part.contentType)).toContain('message/rfc822');
    const delayed = await buildDsn(input({ ret: 'FULL', willRetryUntil: new Date(Date.UTC(2026, 0, 5)), recipients: [{ recipient: 'bob@remote.test', action: 'delayed', status: '4.4.1' }] }));
    const text = delayed!.toString('latin1');
    expect(text).toContain('Subject: Delivery Status Notification (Delay)');
    expect(text).toContain('Action: delayed\r\nStatus: 4.4.1\r\n');
    expect(text).toContain('Will-Retry-Until: Mon, 05 Jan 2026 00:00:00 +0000');
    expect(text).not.toContain('message/rfc822');
  });

  it('no report for NOTIFY=NEVER, and none to the null sender', async () => {
    expect(await buildDsn(input({ recipients: [{ recipient: 'bob@remote.test', notify: 'NEVER', action: 'failed', status: '5.1.1' }] }))).toBeUndefined();
    expect(await buildDsn(input({ sender: '' }))).toBeUndefined();
  });
});

describe('where the lab sends them', () => {
  const result = (address: string, ok: boolean, temporary: boolean): RecipientResult => ({
    address,
    ok,
    code: ok ? 250 : temporary ? 451 : 550,
    ...(ok ? {} : { enhanced: temporary ? '4.4.1' : '5.1.1' }),
    text: ok ? 'OK' : temporary ? 'try later' : 'no such user',
    host: 'mx.remote.test [127.0.0.2]:25',
    temporary,
    stage: 'rcpt',
  });
  const entry = { id: 'q1', from: 'alice@maillab.test', recipients: ['ok@remote.test', 'busy@remote.test', 'gone@remote.test'], queuedAt: '2026-01-01T00:00:00.000Z', attempts: 0 };
  const at = { original: ORIGINAL, hostname: 'maillab.test', now: new Date(Date.UTC(2026, 0, 1, 1)), retryUntil: new Date(Date.UTC(2026, 0, 3)) };
  const results = [result('ok@remote.test', true, false), result('busy@remote.test', false, true), result('gone@remote.test', false, false)];

  it('the queue: relayed for NOTIFY=SUCCESS, one delay report, a failure report unless NOTIFY=NEVER', async () => {
    const dsn = { recipients: { 'ok@remote.test': { notify: 'SUCCESS' }, 'gone@remote.test': { notify: 'FAILURE' } } };
    const first = await attemptReports({ ...at, entry: { ...entry, dsn }, results, exhausted: false });
    const subjects = first.messages.map((message) => /^Subject: (.*)$/m.exec(message.toString('latin1'))![1]);
    expect(subjects).toEqual(['Delivery Status Notification (Relayed)', 'Delivery Status Notification (Failure)', 'Delivery Status Notification (Delay)']);
    expect(first).toMatchObject({ failuresReported: true, delayReported: true });
    // The delay is reported once, not at every retry.
    const again = await attemptReports({ ...at, entry: { ...entry, dsn, delayReported: true }, results: [results[1]!], exhausted: false });
    expect(again.messages).toHaveLength(0);
    const never = await attemptReports({ ...at, entry: { ...entry, dsn: { recipients: { 'gone@remote.test': { notify: 'NEVER' } } } }, results: [results[2]!], exhausted: false });
    expect(never.messages).toHaveLength(0);
  });

  it('a local delivery with NOTIFY=SUCCESS puts a success report in the sender\'s maildrop', async () => {
    const store = new MemoryStore();
    const backend = createMemorySmtpBackend({ users: new StaticUsers({ alice: 'a', bob: 'b' }), store, domains: ['maillab.test'], reports: { hostname: 'maillab.test', now: () => new Date(Date.UTC(2026, 0, 1)) } });
    const h = makeSmtpHarness({}, undefined, ['maillab.test'], backend);
    await h.send('EHLO client.example');
    await h.send('MAIL FROM:<alice@maillab.test> ENVID=E1');
    await h.send('RCPT TO:<bob@maillab.test> NOTIFY=SUCCESS');
    await h.send('DATA');
    expect(await h.data('From: alice@maillab.test\r\nSubject: x\r\n\r\nhi\r\n')).toMatch(/^250 /);
    expect(store.messages('bob')).toHaveLength(1);
    const reports = store.messages('alice').map((message) => message.bytes.toString('latin1'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/^Return-Path: <>\r\n/);
    expect(reports[0]).toContain('Original-Envelope-Id: E1');
    expect(reports[0]).toContain('Final-Recipient: rfc822; bob@maillab.test\r\nAction: delivered\r\nStatus: 2.0.0');
  });
});

describe('the lab\'s own backend (maillab serve)', () => {
  it('keeps the DSN parameters with a queued message, and reports a local NOTIFY=SUCCESS delivery to the sender', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'maillab-dsn-'));
    try {
      const store = new MemoryStore();
      const queue = new OutboundQueue(join(folder, 'queue'));
      const backend = createSmtpBackend({ users: new StaticUsers({ alice: 'wonderland', bob: 'builder' }), store, queue, domains: ['maillab.test'], hostname: 'maillab.test', relayAllowed: async () => ({ ok: true as const }) }); // outbound delivery on (serve --deliver-outbound)
      const h = makeSmtpHarness({ listener: 'submission' }, undefined, ['maillab.test'], backend);
      await h.send('EHLO client.example');
      expect(await h.send(`AUTH PLAIN ${Buffer.from('\0alice\0wonderland').toString('base64')}`)).toMatch(/^235 /);
      await h.send('MAIL FROM:<alice@maillab.test> RET=HDRS ENVID=E+2B1');
      await h.send('RCPT TO:<bob@maillab.test> NOTIFY=SUCCESS');
      await h.send('RCPT TO:<carol@remote.test> NOTIFY=DELAY,FAILURE ORCPT=rfc822;Carol@remote.test');
      await h.send('DATA');
      expect(await h.data('From: alice@maillab.test\r\nSubject: x\r\n\r\nhi\r\n')).toMatch(/^250 /);
      const json = readdirSync(join(folder, 'queue')).filter((name) => name.endsWith('.json'));
      expect(json).toHaveLength(1);
      expect(JSON.parse(readFileSync(join(folder, 'queue', json[0]!), 'utf8'))).toMatchObject({
        recipients: ['carol@remote.test'],
        dsn: { ret: 'HDRS', envid: 'E+2B1', recipients: { 'bob@maillab.test': { notify: 'SUCCESS' }, 'carol@remote.test': { notify: 'DELAY,FAILURE', orcpt: 'rfc822;Carol@remote.test' } } },
      });
      const reports = store.messages('alice').map((message) => message.bytes.toString('latin1'));
      expect(reports).toHaveLength(1);
      expect(reports[0]).toContain('Original-Envelope-Id: E+1');
      expect(reports[0]).toContain('Final-Recipient: rfc822; bob@maillab.test\r\nAction: delivered');
      expect(reports[0]).not.toContain('carol@remote.test\r\nAction');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
