/**
 * Facts the course states, checked against the RFCs (issue 10, "Errors to
 * correct"): each test guards one error an expert read found in the catalogue
 * or the lessons, so that it cannot come back.
 */
import { describe, expect, it } from 'vitest';
import { allEntries, lookup } from '../../core/annotations/catalogue.js';
import { describeKey } from '../../core/annotations/describe.js';
import { ENHANCED_DETAILS, ENHANCED_SUBJECTS } from '../../core/annotations/enhanced-codes.js';

/** Words that report a failure; a 2.X.X code never does (RFC 3463 §2). */
const FAILURE_WORDS = /\b(fail\w*|errors?|wrong|problems?|refus\w*|reject\w*|not delivered|undeliver\w*|unable|cannot|can't|could not|denied|not allowed|bounce\w*)\b/i;

describe('enhanced status codes (RFC 3463)', () => {
  it('no 2.X.X text speaks of failure: a class-2 code always reports success (§2)', () => {
    const classTwo = allEntries().filter((entry) => /^smtp\.enhanced\.2\./.test(entry.key));
    expect(classTwo.length).toBeGreaterThan(20);
    for (const entry of classTwo) expect(entry.summary, entry.key).not.toMatch(FAILURE_WORDS);
    expect(lookup('smtp.enhanced-class.2')?.summary).not.toMatch(FAILURE_WORDS);
    // And the entries composed for codes nobody listed: every detail, every subject, under class 2.
    const composed = [...ENHANCED_DETAILS.map((detail) => `2.${detail.code}`), ...ENHANCED_SUBJECTS.map((subject) => `2.${subject.subject}.99`)];
    for (const code of composed) expect(describeKey(`smtp.enhanced.${code}`)?.summary, code).not.toMatch(FAILURE_WORDS);
  });

  it('5.6.4 is not delivered; only 2.6.4 is "delivered with loss" (§3.7)', () => {
    expect(lookup('smtp.enhanced.5.6.4')?.summary).toMatch(/not delivered/);
    expect(lookup('smtp.enhanced.5.6.4')?.summary).not.toMatch(/was delivered/);
    expect(lookup('smtp.enhanced.2.6.4')?.summary).toMatch(/was delivered/);
  });

  it('5.2.2 and 4.7.1 are not "used only as" another class: RFC 3463 says should / useful only, and both are common', () => {
    expect(lookup('smtp.enhanced.5.2.2')?.summary).toMatch(/should/);
    expect(lookup('smtp.enhanced.4.7.1')?.summary).toMatch(/greylisting/);
    for (const code of ['5.2.2', '4.7.1', '4.7.8', '2.2.2']) expect(describeKey(`smtp.enhanced.${code}`)?.summary, code).not.toMatch(/ only\./);
  });
});

describe('commands and capabilities', () => {
  it('STLS: the session stays in AUTHORIZATION; the client discards the capabilities and should ask CAPA again (RFC 2595 §4)', () => {
    const stls = lookup('pop3.command.STLS')?.summary ?? '';
    expect(stls).toMatch(/stays in AUTHORIZATION/);
    expect(stls).toMatch(/discard/);
    expect(stls).not.toMatch(/forgotten/);
    expect(lookup('pop3.capa.STLS')?.summary).toMatch(/still in AUTHORIZATION/);
  });

  it('CAPA: the list may change after STLS or login, not "changes" (RFC 2449 §5)', () => {
    expect(lookup('pop3.command.CAPA')?.summary).toMatch(/may change/);
  });

  it('EXPIRE is the minimum retention of any message left on the server (RFC 2449 §6.7)', () => {
    expect(lookup('pop3.capa.EXPIRE')?.summary).toMatch(/any message left on it/);
  });

  it('VRFY and EXPN cite their definitions, §4.1.1.6 and §4.1.1.7, and §3.5', () => {
    expect(lookup('smtp.command.VRFY')).toMatchObject({ rfc: 'RFC 5321 §4.1.1.6' });
    expect(lookup('smtp.command.EXPN')).toMatchObject({ rfc: 'RFC 5321 §4.1.1.7' });
    for (const verb of ['VRFY', 'EXPN']) expect(lookup(`smtp.command.${verb}`)?.summary, verb).toMatch(/§3\.5/);
  });

  it('LOGIN is in no RFC: wherever the catalogue names it, it names draft-murchison-sasl-login', () => {
    for (const key of ['smtp.sasl.challenge', 'pop3.sasl.challenge']) {
      expect(lookup(key)?.summary, key).toMatch(/LOGIN.*in no RFC.*draft-murchison-sasl-login|draft-murchison-sasl-login.*LOGIN/);
    }
  });

  it('538 is explained as history (RFC 2554, RFC 4954 §6) next to the 530 real servers send (RFC 3207 §4)', () => {
    const summary = lookup('smtp.reply.538')?.summary ?? '';
    expect(summary).toMatch(/RFC 2554/);
    expect(summary).toMatch(/historical purposes only/);
    expect(summary).toMatch(/530 5\.7\.0 Must issue a STARTTLS command first/);
  });
});
