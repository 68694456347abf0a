/**
 * The raw client's checks before a line goes out and its notes in context
 * (issue 18), driven by the real trackers fed a server's lines: credentials
 * only for an offered AUTH, pipelining only when offered, SIZE= against the
 * announced SIZE, the capability lists before and after TLS, a refusal of an
 * AUTH never offered; and the exit-status table (swaks' numbers).
 */
import { describe, expect, it } from 'vitest';
import { announcedCapabilities, capabilityChange, credentialRefusal, offeredMechanisms, pipeliningOffered, sizeNote } from '../../core/client/client-guards.js';
import { EXIT_CODES, exitHelp, sendStageExit } from '../../core/models/exit-status.js';
import { Pop3Tracker } from '../../core/client/pop3-tracker.js';
import { OfferContext } from '../../core/client/offer-context.js';
import { SmtpTracker } from '../../core/client/smtp-tracker.js';

const PLAIN = `AUTH PLAIN ${Buffer.from('\0dora\0secret').toString('base64')}`;

/** An SMTP tracker after the greeting and an EHLO answered with these keyword lines. */
function smtpAfterEhlo(keywords: string[]): SmtpTracker {
  const tracker = new SmtpTracker();
  tracker.connected();
  tracker.received('220 mx.test ESMTP');
  tracker.sent('EHLO me');
  const lines = ['mx.test', ...keywords];
  lines.forEach((line, index) => tracker.received(`250${index === lines.length - 1 ? ' ' : '-'}${line}`));
  return tracker;
}

/** A POP3 tracker after the greeting and, with `capa`, a CAPA answer of these tags. */
function pop3After(capa?: string[]): Pop3Tracker {
  const tracker = new Pop3Tracker();
  tracker.connected();
  tracker.received('+OK ready');
  if (capa) {
    tracker.sent('CAPA');
    for (const line of ['+OK', ...capa, '.']) tracker.received(line);
  }
  return tracker;
}

describe('credentials only for an offered AUTH', () => {
  it('SMTP: no AUTH in EHLO holds AUTH PLAIN back, pointing to STARTTLS before TLS', () => {
    const tracker = smtpAfterEhlo(['PIPELINING', 'STARTTLS']);
    expect(offeredMechanisms(tracker)).toEqual([]);
    expect(credentialRefusal(tracker, PLAIN, false)).toMatch(/did not offer AUTH .*send STARTTLS \(then EHLO again\) first/);
    expect(credentialRefusal(tracker, PLAIN, true)).not.toMatch(/STARTTLS/);
  });

  it('SMTP: the mechanism must be among those offered; "AUTH=LOGIN" counts; AUTH without a response is no secret', () => {
    const tracker = smtpAfterEhlo(['AUTH=LOGIN']);
    expect(offeredMechanisms(tracker)).toEqual(['LOGIN']);
    expect(credentialRefusal(tracker, PLAIN, true)).toMatch(/offers AUTH LOGIN, not PLAIN/);
    expect(credentialRefusal(tracker, `AUTH LOGIN ${Buffer.from('dora').toString('base64')}`, true)).toBeUndefined();
    expect(credentialRefusal(tracker, 'AUTH PLAIN', false)).toBeUndefined();
    expect(credentialRefusal(tracker, 'AUTH PLAIN =', false)).toBeUndefined();
  });

  it('SMTP before EHLO: held back until the server has said what it offers', () => {
    const tracker = new SmtpTracker();
    tracker.connected();
    tracker.received('220 mx.test ESMTP');
    expect(credentialRefusal(tracker, PLAIN, false)).toMatch(/send EHLO first/);
  });

  it('a base64 credential typed outside an AUTH exchange is held back; ordinary commands are not', () => {
    const tracker = smtpAfterEhlo(['AUTH PLAIN']);
    expect(credentialRefusal(tracker, 'ZG9yYQ==', false)).toMatch(/no AUTH exchange is open/);
    expect(credentialRefusal(tracker, 'MAIL FROM:<a@b.test>', false)).toBeUndefined();
  });

  it('POP3: without CAPA nothing is known (allowed); once CAPA answered, SASL decides', () => {
    expect(credentialRefusal(pop3After(), PLAIN, false)).toBeUndefined();
    expect(credentialRefusal(pop3After(['USER', 'STLS']), PLAIN, false)).toMatch(/its CAPA answer has no SASL.*STLS \(then CAPA again\)/);
    expect(credentialRefusal(pop3After(['SASL PLAIN LOGIN']), PLAIN, false)).toBeUndefined();
  });
});

describe('pipelining only when offered', () => {
  it('unknown before EHLO/CAPA, then what the server said', () => {
    expect(pipeliningOffered(pop3After())).toBeUndefined();
    expect(pipeliningOffered(pop3After(['USER']))).toBe(false);
    expect(pipeliningOffered(pop3After(['PIPELINING']))).toBe(true);
    expect(pipeliningOffered(smtpAfterEhlo(['8BITMIME']))).toBe(false);
    expect(pipeliningOffered(smtpAfterEhlo(['PIPELINING']))).toBe(true);
  });
});

describe('SIZE= against the announced SIZE', () => {
  it('over the limit is a warning, within it a plain note, no SIZE keyword no note', () => {
    const tracker = smtpAfterEhlo(['SIZE 1000']);
    expect(sizeNote(tracker, 'MAIL FROM:<a@b.test> SIZE=5000')).toEqual({ over: true, text: expect.stringMatching(/larger than the 1000 octets .*552 5\.3\.4/) });
    expect(sizeNote(tracker, 'MAIL FROM:<a@b.test> SIZE=500')?.over).toBe(false);
    expect(sizeNote(smtpAfterEhlo(['8BITMIME']), 'MAIL FROM:<a@b.test> SIZE=5000')).toBeUndefined();
  });
});

describe('replies in context', () => {
  it('the capability lists before and after TLS are compared', () => {
    expect(capabilityChange(['STARTTLS', 'PIPELINING'], ['PIPELINING', 'AUTH PLAIN LOGIN'])).toBe('added AUTH PLAIN LOGIN; dropped STARTTLS');
    expect(capabilityChange(['PIPELINING'], ['pipelining'])).toBeUndefined();
    const tracker = smtpAfterEhlo(['STARTTLS']);
    const context = new OfferContext(tracker);
    context.sending('STARTTLS', false);
    tracker.sent('STARTTLS');
    tracker.received('220 go ahead');
    tracker.tlsEstablished({ version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
    expect(announcedCapabilities(tracker)).toBeUndefined();
    tracker.sent('EHLO me');
    tracker.received('250-mx.test');
    tracker.received('250 AUTH PLAIN');
    expect(context.received('250 AUTH PLAIN', true)).toEqual([expect.objectContaining({ key: 'client.warning.capabilities-after-tls', detail: 'compared with before TLS, the server added AUTH PLAIN; dropped STARTTLS' })]);
  });

  it('a refused AUTH that was never offered says so, and that AUTH may come after STARTTLS', () => {
    const tracker = smtpAfterEhlo(['STARTTLS']);
    const context = new OfferContext(tracker);
    context.sending('AUTH LOGIN', false);
    tracker.sent('AUTH LOGIN');
    tracker.received('503 5.5.1 Error: authentication not enabled');
    const [note] = context.received('503 5.5.1 Error: authentication not enabled', false);
    expect(note).toMatchObject({ key: 'client.warning.auth-not-offered', detail: expect.stringMatching(/never offered this AUTH; before TLS it did not list it.*STARTTLS, EHLO again, then AUTH/) });
  });
});

describe('exit statuses (swaks\' numbers where swaks has one)', () => {
  it('send maps each stage to its status', () => {
    expect(EXIT_CODES[sendStageExit('rcpt')]).toBe(24);
    expect(EXIT_CODES[sendStageExit('message')]).toBe(26);
    expect(EXIT_CODES[sendStageExit('data')]).toBe(25);
    expect(EXIT_CODES[sendStageExit('auth')]).toBe(28);
    expect(EXIT_CODES[sendStageExit('starttls')]).toBe(29);
    expect(EXIT_CODES[sendStageExit('mail', 'closed')]).toBe(6);
    expect(EXIT_CODES[sendStageExit('greeting', 'connect')]).toBe(2);
    expect(EXIT_CODES[sendStageExit('greeting', 'protocol')]).toBe(21);
    expect(EXIT_CODES[sendStageExit('rcpt', 'timeout')]).toBe(40);
  });

  it('each help lists its own statuses: 41 is connect\'s only', () => {
    expect(exitHelp('connect')).toMatch(/^ {2}41 /m);
    expect(exitHelp('send')).not.toMatch(/^ {2}41 /m);
    for (const code of [0, 1, 2, 6, 21, 22, 23, 24, 25, 26, 27, 28, 29, 40, 130]) expect(exitHelp('send')).toMatch(new RegExp(`^ {2}${code} +\\S`, 'm'));
  });
});
