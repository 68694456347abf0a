/**
 * Practice judges the outcome, not the route (issue 22): another route to the
 * same login is accepted and named; a harmless detour (CAPA again after STLS)
 * is kept; a rolled-back line is told exactly what differs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Lesson } from '../../core/lessons/lesson.js';
import { parseLesson } from '../../core/lessons/parse-lesson.js';
import { LessonPractice, type PracticeResult } from '../../core/lessons/practice.js';

function lessonFrom(text: string): Lesson {
  const parsed = parseLesson(text);
  if (!parsed.ok) throw new Error(parsed.problems.map((problem) => `${problem.line}: ${problem.message}`).join('\n'));
  return parsed.lesson;
}

const APOP_LESSON = `id: t
title: t
protocol: pop3
rfc: RFC 1939
host: dewey
timestamp: <1896.697170952@dbc.mtview.ca.us>
user: mrose tanstaaf
message: mrose 120
message: mrose 200
== session ==
S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
S: +OK mrose's maildrop has 2 messages (320 octets)
C: RETR 2
S: +OK 200 octets
S: {message 2}
S: .
C: QUIT
S: +OK dewey POP3 server signing off (2 messages left)
`;

const SMTP_AUTH_LESSON = `id: t
title: t
protocol: smtp
rfc: RFC 4954
listener: submission
user: alice wonderland
== session ==
S: 220 maillab.test ESMTP maillab ready
C: EHLO client.example
S: 250-maillab.test greets client.example
S: 250-PIPELINING
S: 250-SIZE 10485760
S: 250-8BITMIME
S: 250-SMTPUTF8
S: 250-CHUNKING
S: 250-ENHANCEDSTATUSCODES
S: 250-AUTH PLAIN LOGIN CRAM-MD5
S: 250 HELP
C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=
S: 235 2.7.0 Authentication successful
C: MAIL FROM:<alice@maillab.test>
S: 250 2.1.0 sender <alice@maillab.test> OK
C: QUIT
S: 221 2.0.0 maillab.test Service closing transmission channel
`;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function kind(result: PracticeResult): string {
  return result.kind;
}

describe('another route to the same outcome', () => {
  it('USER and PASS where the lesson uses APOP: the same mailbox, the same state, accepted and named', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(APOP_LESSON));
    try {
      const user = await practice.submit('USER mrose');
      expect(user).toMatchObject({ kind: 'sent', note: expect.stringMatching(/^USER is another way to the lesson's login \(APOP\)/) });
      expect(user.kind === 'sent' && user.shown?.received).toEqual([expect.stringMatching(/^\+OK/)]);
      const pass = await practice.submit('PASS tanstaaf');
      expect(pass).toMatchObject({ kind: 'accepted', note: 'Accepted: you took another route (USER and PASS) to the lesson\'s result (APOP).' });
      // The step's record is PASS and its reply; USER's exchange was shown apart, and nothing is left over.
      if (pass.kind === 'accepted') expect(pass.played[0]).toMatchObject({ sent: ['PASS tanstaaf'], received: [expect.stringMatching(/^\+OK mrose's maildrop/)] });
      expect(practice.expected?.text).toBe('RETR 2');
      expect(practice.score).toMatchObject({ refused: 0 });
    } finally {
      await practice.close();
    }
  });

  it('USER for another mailbox is still rolled back at PASS: the rest of the lesson needs mrose', async () => {
    const lesson = lessonFrom(APOP_LESSON.replace('user: mrose tanstaaf', 'user: mrose tanstaaf\nuser: other secret'));
    const { practice } = await LessonPractice.start(lesson);
    try {
      expect(kind(await practice.submit('USER other'))).toBe('sent');
      const pass = await practice.submit('PASS secret');
      expect(pass).toMatchObject({ kind: 'refused', hint: { kind: 'other-target' } });
      expect(practice.expected?.text).toBe('APOP mrose c4c9334bac560ecc979e58001b3e22fb');
    } finally {
      await practice.close();
    }
  });

  it('another SASL mechanism reaching the same result is accepted, by name', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(SMTP_AUTH_LESSON));
    try {
      expect(kind(await practice.submit('EHLO client.example'))).toBe('accepted');
      const login = await practice.submit('AUTH LOGIN');
      expect(login).toMatchObject({ kind: 'sent', note: 'The lesson uses AUTH PLAIN; you chose AUTH LOGIN: go on with its exchange, the step counts if it logs in the same way.' });
      expect(kind(await practice.submit(b64('alice')))).toBe('sent');
      const done = await practice.submit(b64('wonderland'));
      expect(done).toMatchObject({ kind: 'accepted', note: "Accepted: you took another route (AUTH LOGIN) to the lesson's result (AUTH PLAIN)." });
      expect(practice.expected?.text).toBe('MAIL FROM:<alice@maillab.test>');
    } finally {
      await practice.close();
    }
  });
});

describe('a detour the lab keeps', () => {
  it('CAPA again after STLS (RFC 2595 §4 asks for it) is kept, and the lesson goes on with its own step', async () => {
    const text = readFileSync(join(__dirname, '../../lessons/rfc2595/stls.lesson'), 'utf8');
    const { practice } = await LessonPractice.start(lessonFrom(text));
    try {
      expect(kind(await practice.submit('STLS'))).toBe('accepted');
      const capa = await practice.submit('CAPA');
      expect(capa).toMatchObject({ kind: 'sent', note: expect.stringMatching(/^CAPA changes nothing the lesson needs \(\+OK\), so the lab keeps it; the lesson's next step is still STLS/) });
      expect(practice.expected?.text).toBe('STLS');
      const stls = await practice.submit('STLS');
      expect(stls.kind).toBe('accepted');
      // The lesson's step shows its own reply, not the detour's.
      if (stls.kind === 'accepted') expect(stls.played[0]).toMatchObject({ sent: ['STLS'], received: ['-ERR Command not permitted when TLS active'] });
      expect(stls.kind === 'accepted' && stls.played[0]!.difference).toBeFalsy();
      expect(practice.score).toMatchObject({ refused: 0 });
    } finally {
      await practice.close();
    }
  });
});

describe('a rolled-back line says exactly what differs', () => {
  it('the case of a local part, and why it matters (RFC 5321 §2.4)', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(SMTP_AUTH_LESSON.replace('user: alice wonderland', 'user: alice wonderland\nuser: Alice other')));
    try {
      await practice.submit('EHLO client.example');
      await practice.submit('AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=');
      const result = await practice.submit('MAIL FROM:<Alice@maillab.test>');
      expect(result.kind).toBe('refused');
      if (result.kind === 'refused') expect(result.hint.text).toContain('<Alice@maillab.test> differs from the lesson\'s <alice@maillab.test> only in the case of the local part');
    } finally {
      await practice.close();
    }
  });
});
