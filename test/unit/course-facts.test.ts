/**
 * Facts the course states, checked against the RFCs (issue 10, "Errors to
 * correct"): each test guards one error an expert read found in the catalogue
 * or the lessons, so that it cannot come back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allEntries, lookup } from '../../core/annotations/catalogue.js';
import { describeKey } from '../../core/annotations/describe.js';
import { ENHANCED_DETAILS, ENHANCED_SUBJECTS } from '../../core/annotations/enhanced-codes.js';
import { MESSAGES } from '../../core/lessons/messages.js';
import { parseLesson } from '../../core/lessons/parse-lesson.js';
import { LessonPractice } from '../../core/lessons/practice.js';
import { makeSmtpHarness } from '../helpers/smtp-harness.js';

/** Words that report a failure; a 2.X.X code never does (RFC 3463 §2). */
const FAILURE_WORDS = /\b(fail\w*|errors?|wrong|problems?|refus\w*|reject\w*|not delivered|undeliver\w*|unable|cannot|can't|could not|denied|not allowed|bounce\w*)\b/i;

describe('enhanced status codes (RFC 3463)', () => {
  it('no 2.X.X text speaks of failure: a class-2 code always reports success (§2)', () => {
    const classTwo = allEntries().filter((entry) => /^smtp\.enhanced\.2\./.test(entry.key));
    // Only the details registered for success (1.5, 1.9, 3.6, 6.4, 6.8, 7.7 and the X.Y.0 codes) have class-2 entries.
    expect(classTwo.length).toBeGreaterThanOrEqual(14);
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

/** Issue 22, "Wrong today": each test guards one error the third expert read found. */
describe('round three (issue 22)', () => {
  const lessonText = (name: string) => readFileSync(join(__dirname, '../../lessons/beginner', name), 'utf8').replace(/\s+/g, ' ');

  it('521 is RFC 7504 §3: a host that takes no mail says so at connection opening; never on the submission port (RFC 6409 §7)', () => {
    const entry = describeKey('smtp.reply.521');
    expect(entry).toMatchObject({ rfc: 'RFC 7504 §3', title: '521 Host does not accept mail' });
    expect(entry?.summary).toMatch(/connection opening/);
    expect(entry?.summary).toMatch(/RFC 6409 §7 says a submission server MUST NOT/);
    expect(entry?.summary).not.toMatch(/No standard meaning/);
  });

  it('556 is RFC 7504 §4 and no greeting (that is 521); 5.1.10 is registered in RFC 7505 §6, 5.7.27 is the sender side (§4.2)', () => {
    expect(lookup('smtp.reply.556')).toMatchObject({ rfc: 'RFC 7504 §4' });
    expect(lookup('smtp.reply.556')?.summary).not.toMatch(/greet with 556/);
    expect(lookup('smtp.reply.556')?.summary).toMatch(/greets with 521/);
    expect(lookup('smtp.enhanced.5.1.10')).toMatchObject({ rfc: 'RFC 7505 §6' });
    expect(lookup('smtp.enhanced.5.7.27')).toMatchObject({ rfc: 'RFC 7505 §4.2' });
  });

  it('2.4.7, 2.5.5 and 2.1.4 get no invented success story: the detail is registered for 4 and 5 only, and the words say so', () => {
    for (const code of ['2.4.7', '2.5.5', '2.1.4']) {
      expect(lookup(`smtp.enhanced.${code}`), code).toBeUndefined();
      const summary = describeKey(`smtp.enhanced.${code}`)?.summary ?? '';
      expect(summary, code).toMatch(/no RFC gives it a meaning as a success/);
      expect(summary, code).toMatch(new RegExp(`registered \\(RFC 3463 §3\\.\\d\\) for 4\\.${code.slice(2).replace('.', '\\.')} or 5\\.`));
      expect(summary, code).not.toMatch(/the server notes|was delivered/);
    }
    // X.4.7 is "message too old" (RFC 3463 §3.5) where it is used.
    expect(lookup('smtp.enhanced.4.4.7')?.summary).toMatch(/too old/);
  });

  it('252 to VRFY carries 2.0.0, not 2.1.5, which would assert that the address is valid (RFC 3463 §3.1, §3.2)', async () => {
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    expect(await h.send('VRFY somebody')).toMatch(/^252 2\.0\.0 /);
    expect(lookup('smtp.reply.252')?.summary).toMatch(/2\.1\.5 would assert that the address is valid/);
  });

  it('BDAT is valid only once a recipient is accepted, and the lab refuses it elsewhere with 503', async () => {
    const states = lookup('smtp.command.BDAT')?.states ?? [];
    expect(states).toEqual(['RCPT', 'BDAT']);
    const h = makeSmtpHarness();
    await h.send('EHLO client.example');
    expect(await h.send('BDAT 4 LAST')).toBe('');
    expect(await h.chunk('abcd')).toMatch(/^503 5\.5\.1 Need MAIL and RCPT before BDAT/);
  });

  it('beginner-22: 5.7.26 for a DMARC failure is a large providers\' convention; the registered meaning is beside it', () => {
    const text = lessonText('22-dmarc-alignment.lesson');
    expect(text).toMatch(/registered meaning of 5\.7\.26 is "Multiple authentication checks failed" \(RFC 7372 §3\)/);
    expect(text).toMatch(/convention of large providers/);
    expect(text).not.toMatch(/neither SPF nor DKIM vouched/);
  });

  it('beginner-14: EXPIRE is the minimum retention (RFC 2449 §6.7), not how long a message is kept', () => {
    const text = lessonText('14-pop3-and-imap.lesson');
    expect(text).toMatch(/EXPIRE in CAPA gives the server's retention policy: the minimum number of days/);
    expect(text).not.toMatch(/says how long a message left on the server is kept/);
  });

  it('beginner-08: only "command not recognized" to EHLO calls for HELO (RFC 5321 §3.2); a policy refusal does not', () => {
    const text = lessonText('08-mx-delivery.lesson');
    expect(text).toMatch(/A 500 or 502 to EHLO, "command not recognized"/);
    expect(text).toMatch(/a policy refusal such as 550 or 554, is no reason to try HELO/);
    expect(text).not.toMatch(/A 5xx to EHLO would not have been final either/);
  });

  it('the practice hint for message text does not ask for the lesson\'s line exactly: any text is accepted', () => {
    expect(MESSAGES.hintDataLine).not.toMatch(/exactly/);
    expect(MESSAGES.hintDataLine).toMatch(/Any text is accepted/);
  });

  it('the hint for a step the lesson means to be refused says so (the second STLS of RFC 2595 §4)', async () => {
    const lesson = parseLesson(readFileSync(join(__dirname, '../../lessons/rfc2595/stls.lesson'), 'utf8'), 'rfc2595/stls.lesson');
    if (!lesson.ok) throw new Error('stls.lesson does not parse');
    const { practice } = await LessonPractice.start(lesson.lesson);
    try {
      expect(practice.explainNext()).toMatch(/^Next, the client sends STLS: /);
      expect((await practice.submit('STLS')).kind).toBe('accepted');
      expect(practice.expected?.text).toBe('STLS');
      expect(practice.explainNext()).toMatch(/^Next, the client sends STLS, and in this lesson the server refuses it \(-ERR\)/);
    } finally {
      await practice.close();
    }
  });
});
