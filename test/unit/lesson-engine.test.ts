import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayAll } from '../../core/lab/check-lesson.js';
import { sameLine } from '../../core/lessons/equivalence.js';
import { inProcessLab } from '../../core/lessons/in-process-lab.js';
import type { Lesson } from '../../core/lessons/lesson.js';
import { buildLessonLab } from '../../core/lessons/lesson-lab.js';
import { LessonRun, watchLesson } from '../../core/lessons/lesson-run.js';
import { parseLesson } from '../../core/lessons/parse-lesson.js';
import { LessonPractice, type PracticeResult } from '../../core/lessons/practice.js';
import { predictionRight } from '../../core/lessons/predictions.js';
import type { PlayedStep } from '../../core/lessons/replay.js';
import { createLessonStepRenderer } from '../../core/render/lesson-step.js';

const LESSONS = join(__dirname, '../../lessons');

function lessonFrom(text: string): Lesson {
  const parsed = parseLesson(text);
  if (!parsed.ok) throw new Error(parsed.problems.map((problem) => `${problem.line}: ${problem.message}`).join('\n'));
  return parsed.lesson;
}

const fileLesson = (path: string) => lessonFrom(readFileSync(join(LESSONS, path), 'utf8'));

async function all(lesson: Lesson): Promise<PlayedStep[]> {
  const steps: PlayedStep[] = [];
  for await (const step of watchLesson(lesson)) steps.push(step);
  return steps;
}

async function replay(lesson: Lesson) {
  return replayAll(lesson, inProcessLab(await buildLessonLab(lesson)));
}

function accepted(result: PracticeResult): readonly PlayedStep[] {
  if (result.kind !== 'accepted') throw new Error(`expected the line to be accepted, got ${JSON.stringify(result)}`);
  return result.played;
}

const POP3_LESSON = `id: t
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

describe('watch mode', () => {
  it('plays every step of RFC 1939 §10 with the lines received and the annotated events', async () => {
    const steps = await all(fileLesson('rfc1939/s10-example-session.lesson'));
    expect(steps).toHaveLength(9);
    expect(steps.every((step) => step.difference === undefined)).toBe(true);
    for (const step of steps) expect(step.received).toEqual(step.step.server.map((line) => line.text));
    expect(steps[0]!.opensSession).toBe(true);
    expect(steps[0]!.step.narration[0]).toMatch(/^The client has opened a TCP connection/);
    const apop = steps[1]!;
    expect(apop.sent).toEqual(['APOP mrose c4c9334bac560ecc979e58001b3e22fb']);
    expect(apop.events).toContainEqual({ kind: 'annotation', about: 'command', key: 'pop3.command.APOP', rfc: 'RFC 1939 §7' });
    expect(apop.events).toContainEqual(expect.objectContaining({ kind: 'transition', from: 'AUTHORIZATION', to: 'TRANSACTION' }));
    expect(steps[8]!.closesSession).toBe(true);
    expect(steps[8]!.events).toContainEqual(expect.objectContaining({ kind: 'transition', from: 'UPDATE', to: 'CLOSED' }));
  });

  it('runs hidden steps out of sight, and says the connection was opened on the first step shown', async () => {
    const steps = await all(fileLesson('rfc1939/stat.lesson'));
    expect(steps.map((step) => step.sent)).toEqual([['STAT'], []]);
    expect(steps[0]).toMatchObject({ opensSession: true, received: ['+OK 2 320'] });
    expect(steps[0]!.events).toContainEqual({ kind: 'annotation', about: 'command', key: 'pop3.command.STAT', rfc: 'RFC 1939 §5' });
  });

  it('shows a watch-only lesson as written, annotated by the client trackers', async () => {
    const steps = await all(fileLesson('rfc5034/digest-md5.lesson'));
    expect(steps[0]!.received).toEqual(['+OK pop.example.com BlurdyBlurp POP3 server ready']);
    const auth = steps.find((step) => step.sent[0] === 'AUTH DIGEST-MD5')!;
    expect(auth.events).toContainEqual(expect.objectContaining({ kind: 'annotation', key: 'pop3.sasl.challenge', detail: expect.stringContaining('realm="elwood.innosoft.com"') }));
    expect(steps.flatMap((step) => step.events)).toContainEqual(expect.objectContaining({ kind: 'transition', to: 'TRANSACTION' }));
  });

  it('renders a step: narration, C: lines, what the command means, S: lines with the message itself (issue 9), folded on request', async () => {
    const steps = await all(lessonFrom(POP3_LESSON));
    const renderer = createLessonStepRenderer();
    const text = steps.map((step) => renderer.lines(step).join('\n')).join('\n');
    expect(text).toContain('--- a new connection to dewey (POP3) ---');
    expect(text).toMatch(/C: RETR 2\n {3}= RETR: sends a whole message[^\n]*\nS: \+OK 200 octets\nS: Subject: message 2\nS: \nS: x{70}\nS: x{70}\nS: y+\nS: \.\n/);
    expect(text).not.toContain('{message');
    expect(text).toContain('--- connection closed ---');
    const folded = createLessonStepRenderer();
    const short = steps.map((step) => folded.lines(step, { foldAfter: 2 }).join('\n')).join('\n');
    expect(short).toMatch(/S: \+OK 200 octets\nS: Subject: message 2\nS: \n {3}\.\.\. 3 more lines[^\n]*\nS: \.\n/);
  });
});

describe('step mode', () => {
  it('hands out one step per call until the end', async () => {
    const run = await LessonRun.open(lessonFrom(POP3_LESSON));
    expect((await run.next())!.received).toEqual(['+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>']);
    expect(run.finished).toBe(false);
    expect((await run.next())!.sent).toEqual(['APOP mrose c4c9334bac560ecc979e58001b3e22fb']);
    expect((await run.next())!.received).toHaveLength(7);
    const last = await run.next();
    expect(last!.closesSession).toBe(true);
    expect(run.finished).toBe(true);
    expect(await run.next()).toBeUndefined();
  });

  it('splits a step into the client side and the server side for key presses', async () => {
    const run = await LessonRun.open(lessonFrom(POP3_LESSON));
    await run.next();
    const chunks = createLessonStepRenderer().chunks((await run.next())!);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.lines[0]).toBe('C: APOP mrose c4c9334bac560ecc979e58001b3e22fb');
    expect(chunks[1]!.lines[0]).toBe("S: +OK mrose's maildrop has 2 messages (320 octets)");
    await run.close();
  });
});

describe('replaying: the first difference, with its line number', () => {
  it('a server line that differs', async () => {
    const result = await replay(lessonFrom(POP3_LESSON.replace('(320 octets)', '(321 octets)')));
    expect(result.difference).toEqual({ line: 13, session: 0, expected: "+OK mrose's maildrop has 2 messages (321 octets)", actual: "+OK mrose's maildrop has 2 messages (320 octets)", reason: 'mismatch' });
  });

  it('a line the lesson expects but the server never sends', async () => {
    const result = await replay(lessonFrom(POP3_LESSON.replace('C: QUIT\n', 'C: NOOP\nS: +OK\nS: +OK twice\nC: QUIT\n')));
    expect(result.difference).toMatchObject({ line: 20, expected: '+OK twice', actual: undefined, reason: 'missing' });
  });

  it('lines the server sends after the last one the lesson shows', async () => {
    const result = await replay(lessonFrom(POP3_LESSON.replace('S: .\nC: QUIT', 'C: QUIT').replace(/\nC: QUIT\nS: .*\n$/, '\n')));
    expect(result.difference).toMatchObject({ line: 16, expected: undefined, actual: '.', reason: 'extra' });
  });

  it('client lines after the server closed the connection', async () => {
    const result = await replay(lessonFrom(`${POP3_LESSON}C: NOOP\nS: +OK\n`));
    expect(result.difference).toMatchObject({ line: 20, expected: 'NOOP', reason: 'closed' });
  });

  it('applies the lesson\'s fault rules (RFC 5321 D.1 with a busy mailbox)', async () => {
    const text = readFileSync(join(LESSONS, 'rfc5321/d2-aborted-transaction.lesson'), 'utf8')
      .replace('user: Jones secret-j', 'user: Jones secret-j\nfault: RCPT -> "450 Mailbox busy" after 1')
      .replace('S: 550 No such user here', 'S: 450 Mailbox busy');
    const lesson = lessonFrom(text);
    expect(await replay(lesson)).toEqual({ steps: 7 });
    const steps = await all(lesson);
    expect(steps.flatMap((step) => step.events)).toContainEqual(expect.objectContaining({ kind: 'annotation', key: 'lab.fault.applied', detail: 'RCPT -> "450 Mailbox busy" after 1' }));
  });

  it('serves two protocols from one store: a message sent with SMTP is fetched with POP3', async () => {
    const lesson = lessonFrom(`id: round-trip
title: t
protocol: smtp
rfc: RFC 5321
enhanced-status-codes: off
wording: rfc5321
user: alice wonderland
== server mx ==
host: maillab.test
== server pop ==
protocol: pop3
== session mx ==
S: 220 maillab.test Simple Mail Transfer Service Ready
C: HELO me.example
S: 250 maillab.test greets me.example
C: MAIL FROM:<me@me.example>
S: 250 OK
C: RCPT TO:<alice@maillab.test>
S: 250 OK
C: DATA
S: 354 Start mail input; end with <CRLF>.<CRLF>
C: Subject: hi
C:
C: ..one dot
C: .
S: 250 OK
C: QUIT
S: 221 maillab.test Service closing transmission channel
== session pop ==
S: +OK POP3 server ready <1896.697170952@maillab.test>
C: USER alice
S: +OK alice, send PASS
C: PASS wonderland
S: +OK alice's maildrop has 1 message (191 octets)
C: RETR 1
S: +OK 191 octets
S: Return-Path: <me@me.example>
S: Received: from me.example ([127.0.0.1])
S: \tby maillab.test with SMTP id L1
S: \tfor <alice@maillab.test>;
S: \tSat, 1 Jan 2000 00:00:00 +0000
S: Subject: hi
S: 
S: ..one dot
S: .
`.replace(/\\t/g, '\t'));
    expect(await replay(lesson)).toEqual({ steps: 11 });
  });
});

describe('practice mode: every line goes to the lab, judged by what it did', () => {
  it('plays the greeting, then takes the lesson\'s lines in any case the protocol allows', async () => {
    const { practice, played } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    expect(played.map((step) => step.received)).toEqual([['+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>']]);
    expect(practice.state).toBe('AUTHORIZATION');
    const login = accepted(await practice.submit('apop mrose c4c9334bac560ecc979e58001b3e22fb'));
    expect(login[0]).toMatchObject({ sent: ['apop mrose c4c9334bac560ecc979e58001b3e22fb'], received: ["+OK mrose's maildrop has 2 messages (320 octets)"] });
    expect(login[0]!.difference).toBeUndefined();
    expect(practice.state).toBe('TRANSACTION');
    const retr = accepted(await practice.submit('Retr 02'));
    expect(retr[0]!.received[0]).toBe('+OK 200 octets');
    accepted(await practice.submit('quit'));
    expect(practice.finished).toBe(true);
    expect(await practice.submit('NOOP')).toEqual({ kind: 'finished' });
    expect(practice.score).toEqual({ exchanges: 3, firstTry: 3, refused: 0, revealed: 0, predictions: 0, predictionsRight: 0 });
  });

  it('sends a command the state does not allow, shows the server\'s real -ERR, explains it from the catalogue', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    const result = await practice.submit('STAT');
    if (result.kind !== 'refused') throw new Error(`expected a refusal, got ${result.kind}`);
    expect(result.shown.sent).toEqual(['STAT']);
    expect(result.shown.received[0]).toMatch(/^-ERR /);
    expect(result.hint.kind).toBe('wrong-state');
    expect(result.hint.text).toBe('STAT is only valid in the TRANSACTION state (RFC 1939 §5); the session is in AUTHORIZATION, so the server would refuse it. The lab is back as it was before your line.');
    expect(result.hint.entries.map((entry) => entry.key)).toEqual(['pop3.command.STAT', 'pop3.command.APOP']);
    expect(practice.state).toBe('AUTHORIZATION');
  });

  it('a command the server takes but the lesson does not do next is shown, then undone', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    accepted(await practice.submit('APOP mrose c4c9334bac560ecc979e58001b3e22fb'));
    const dele = await practice.submit('DELE 2');
    if (dele.kind !== 'refused') throw new Error(`expected a refusal, got ${dele.kind}`);
    expect(dele.shown.received).toEqual(['+OK message 2 deleted']);
    expect(dele.hint).toMatchObject({ kind: 'other-command-taken' });
    expect(dele.hint.text).toMatch(/^The server took DELE \(\+OK\), but it is not what the lesson does next: the client now sends RETR: /);
    // Undone: message 2 is there to retrieve, and QUIT leaves both messages.
    expect(accepted(await practice.submit('RETR 2'))[0]!.received[0]).toBe('+OK 200 octets');
    expect(accepted(await practice.submit('QUIT'))[0]!.received).toEqual(['+OK dewey POP3 server signing off (2 messages left)']);
    expect(practice.score).toMatchObject({ exchanges: 3, firstTry: 2, refused: 1 });
  });

  it('a QUIT that ends the session early is undone: the connection is back, still logged in', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    accepted(await practice.submit('APOP mrose c4c9334bac560ecc979e58001b3e22fb'));
    const quit = await practice.submit('QUIT');
    expect(quit).toMatchObject({ kind: 'refused', shown: { received: ['+OK dewey POP3 server signing off (2 messages left)'] } });
    expect(practice.state).toBe('TRANSACTION');
    expect(accepted(await practice.submit('RETR 2'))[0]!.received[0]).toBe('+OK 200 octets');
  });

  it('names an unknown command after the server\'s own refusal, with close names to try', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    const result = await practice.submit('APOQ mrose x');
    expect(result).toMatchObject({ kind: 'refused', hint: { kind: 'unknown-command' } });
    if (result.kind === 'refused') {
      expect(result.hint.text).toMatch(/^"APOQ" is not a POP3 command; did you mean APOP\?/);
      expect(result.shown.received[0]).toMatch(/^-ERR/);
    }
  });

  it('the lesson\'s command with a wrong secret: the real -ERR, the expected +OK, the syntax', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    const result = await practice.submit('APOP mrose 00000000000000000000000000000000');
    expect(result).toMatchObject({ kind: 'refused', hint: { kind: 'other-reply' } });
    if (result.kind !== 'refused') return;
    expect(result.hint.text).toMatch(/^The lesson's APOP gets \+OK; yours got -ERR( \[AUTH\])?\. Right command, APOP, but its arguments are not the lesson's\. The syntax is APOP name digest \(RFC 1939 §7\)/);
    expect(practice.state).toBe('AUTHORIZATION');
    // A failed login was undone with everything else: the next try is a first try for the server, too.
    accepted(await practice.submit('APOP mrose c4c9334bac560ecc979e58001b3e22fb'));
  });

  it('the same reply on another message is not the lesson\'s step: the rest of the lesson needs that one', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    accepted(await practice.submit('APOP mrose c4c9334bac560ecc979e58001b3e22fb'));
    const result = await practice.submit('RETR 1');
    expect(result).toMatchObject({ kind: 'refused', hint: { kind: 'other-target', text: "The server took it, but the rest of the lesson needs RETR 2. The lesson's RETR names 2; yours names 1. The lab is back as it was before your line." } });
  });

  it('reveals the expected line and explains it on request; a revealed step is not a first try', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    expect(practice.reveal()).toBe('APOP mrose c4c9334bac560ecc979e58001b3e22fb');
    expect(practice.explainNext()).toBe('Next, the client sends APOP: logs in with MD5(greeting timestamp + shared secret), so the secret never crosses the wire; but an overheard digest lets anyone try secrets offline, so RFC 1939 §7 and §13 want long secrets (RFC 1939 §7).');
    accepted(await practice.submit(practice.expected!.text));
    expect(practice.reveal()).toBe('RETR 2');
    expect(practice.score).toMatchObject({ exchanges: 1, firstTry: 0, revealed: 2 });
  });

  it('an empty line is not sent', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    expect(await practice.submit('  ')).toMatchObject({ kind: 'hint', hint: { kind: 'empty' } });
  });

  const SMTP_LESSON = `id: t
title: t
protocol: smtp
rfc: RFC 5321
user: alice wonderland
== session ==
S: 220 maillab.test ESMTP maillab ready
C: EHLO me.example
S: 250-maillab.test greets me.example
S: 250-PIPELINING
S: 250-SIZE 10485760
S: 250-8BITMIME
S: 250-SMTPUTF8
S: 250-CHUNKING
S: 250-ENHANCEDSTATUSCODES
S: 250 HELP
C: MAIL FROM:<me@example.org>
S: 250 2.1.0 sender <me@example.org> OK
C: RCPT TO:<nobody@maillab.test>
S: 550 5.1.1 no such user here: <nobody@maillab.test>
C: RCPT TO:<alice@maillab.test>
S: 250 2.1.5 recipient <alice@maillab.test> OK
C: DATA
S: 354 Start mail input; end with <CRLF>.<CRLF>
C: Subject: hello
C:
C: Hi Alice!
C: .
S: 250 2.0.0 OK, message L1 accepted
C: QUIT
S: 221 2.0.0 maillab.test Service closing transmission channel
`;

  it('SMTP: the learner\'s own EHLO name, sender and message are as good as the lesson\'s', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(SMTP_LESSON));
    const ehlo = accepted(await practice.submit('EHLO my-laptop.local'));
    // The reply differs only in the name greeted: a note, not a failure.
    expect(ehlo[0]!.received[0]).toBe('250-maillab.test greets my-laptop.local');
    expect(ehlo[0]!.difference).toMatchObject({ reason: 'mismatch', expected: '250-maillab.test greets me.example' });
    accepted(await practice.submit('MAIL FROM:<learner@example.net> SIZE=100'));
    // Any address this server refuses as 550 5.1.1 does what the lesson's does.
    expect(accepted(await practice.submit('RCPT TO:<ghost@maillab.test>'))[0]!.received).toEqual(['550 5.1.1 no such user here: <ghost@maillab.test>']);
    accepted(await practice.submit('RCPT TO:<alice@MAILLAB.TEST>'));
    accepted(await practice.submit('DATA'));
    expect(await practice.submit('Subject: my own words')).toEqual({ kind: 'sent' });
    expect(await practice.submit('')).toEqual({ kind: 'sent' });
    const end = accepted(await practice.submit('.'));
    expect(end[0]!.sent).toEqual(['Subject: my own words', '', '.']);
    expect(end[0]!.received).toEqual(['250 2.0.0 OK, message L1 accepted']);
    accepted(await practice.submit('QUIT'));
    expect(practice.finished).toBe(true);
    expect(practice.score).toMatchObject({ exchanges: 7, firstTry: 7, refused: 0 });
  });

  it('SMTP: a wrong line reaches the server, and the learner sees its real 501 before the hint', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(SMTP_LESSON));
    accepted(await practice.submit('EHLO me.example'));
    const result = await practice.submit('MAIL FROM:me@example.org');
    if (result.kind !== 'refused') throw new Error(`expected a refusal, got ${result.kind}`);
    expect(result.shown.received).toEqual(['501 5.1.7 Bad sender address syntax: the address must be in angle brackets, like <user@example.com>']);
    expect(result.hint.text).toMatch(/^The lesson's MAIL gets 250 2\.1\.0; yours got 501 5\.1\.7\. Right command, MAIL, but its arguments are not the lesson's\./);
    expect(result.hint.text.endsWith('The lab is back as it was before your line.')).toBe(true);
  });

  it('SMTP: another accepted recipient is not the one the lesson delivers to; a refused one where the lesson\'s is accepted is not either', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(SMTP_LESSON.replace('user: alice wonderland', 'user: alice wonderland\nuser: bob builder')));
    accepted(await practice.submit('EHLO me.example'));
    accepted(await practice.submit('MAIL FROM:<me@example.org>'));
    accepted(await practice.submit('RCPT TO:<nobody@maillab.test>'));
    expect(await practice.submit('RCPT TO:<bob@maillab.test>')).toMatchObject({ kind: 'refused', hint: { kind: 'other-target', text: expect.stringContaining('needs the recipient <alice@maillab.test>') } });
    expect(await practice.submit('RCPT TO:<carol@maillab.test>')).toMatchObject({ kind: 'refused', hint: { kind: 'other-reply' } });
    accepted(await practice.submit('RCPT TO:<alice@maillab.test>'));
    accepted(await practice.submit('DATA'));
    // The message that arrives has only the recipients taken: bob's refused RCPT was undone.
    expect(await practice.submit('.')).toMatchObject({ kind: 'accepted' });
  });

  it('inside DATA, the lesson\'s own lines are followed by its placeholder lines, sent for the learner', async () => {
    const lesson = lessonFrom(`id: t
title: t
protocol: smtp
rfc: RFC 5321
wording: rfc5321
enhanced-status-codes: off
host: foo.com
user: Jones x
user: sender x
message: sender
> Subject: fixture
>
> .starts with a dot
== session ==
S: 220 foo.com Simple Mail Transfer Service Ready
C: HELO bar.com
S: 250 foo.com greets bar.com
C: MAIL FROM:<Smith@bar.com>
S: 250 OK
C: RCPT TO:<Jones@foo.com>
S: 250 OK
C: DATA
S: 354 Start mail input; end with <CRLF>.<CRLF>
C: {message 1}
C: Typed by the learner
C: .
S: 250 OK
`);
    const { practice } = await LessonPractice.start(lesson);
    accepted(await practice.submit('helo BAR.com'));
    accepted(await practice.submit('mail from:<Smith@BAR.COM>'));
    // The server takes any case, but a local part is the receiving host's to interpret (RFC 5321 §2.4): the lesson needs Jones.
    expect(await practice.submit('RCPT TO:<jones@foo.com>')).toMatchObject({ kind: 'refused', hint: { kind: 'other-target' } });
    accepted(await practice.submit('RCPT to:<Jones@FOO.com>'));
    const data = accepted(await practice.submit('DATA'));
    expect(data[0]!.received).toEqual(['354 Start mail input; end with <CRLF>.<CRLF>']);
    // The fixture message went out by itself; the learner types the rest, in their own words if they like.
    expect(practice.expected!.text).toBe('Typed by the learner');
    expect(await practice.submit('typed by the learner')).toEqual({ kind: 'sent' });
    const end = accepted(await practice.submit('.'));
    expect(end[0]!.sent).toEqual(['Subject: fixture', '', '..starts with a dot', 'typed by the learner', '.']);
    expect(end[0]!.received).toEqual(['250 OK']);
    expect(practice.finished).toBe(true);
  });

  it('judges a SASL response by the server\'s verdict, and undoes a failed one', async () => {
    const { practice } = await LessonPractice.start(fileLesson('rfc5034/auth-plain.lesson'));
    // The first session: CAPA, STLS (the handshake played for the learner), CAPA, AUTH PLAIN with an initial response.
    accepted(await practice.submit('capa'));
    const stls = accepted(await practice.submit('stls'));
    expect(stls[0]!).toMatchObject({ received: ['+OK Begin TLS negotiation now'], step: { tls: true } });
    expect(stls[0]!.events).toContainEqual({ kind: 'tls', version: 'TLSv1.3', cipher: '(simulated in process)' });
    expect(accepted(await practice.submit('CAPA'))[0]!.received[1]).toBe('SASL PLAIN DIGEST-MD5 GSSAPI ANONYMOUS');
    expect(accepted(await practice.submit('AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q='))[0]!.received).toEqual(['+OK Maildrop locked and ready']);
    // The second: its STLS is hidden, as the RFC leaves it out.
    expect(practice.state).toBe('AUTHORIZATION');
    accepted(await practice.submit('capa'));
    accepted(await practice.submit('auth plain'));
    const wrong = await practice.submit('dgvzdab0zxn0ahrlc3q=');
    expect(wrong).toMatchObject({ kind: 'refused', hint: { kind: 'other-reply', text: expect.stringMatching(/^The lesson's SASL response gets \+OK; yours got -ERR/) } });
    // Undone to the challenge: the server waits for the response again.
    const done = accepted(await practice.submit('dGVzdAB0ZXN0AHRlc3Q='));
    expect(done[0]!.received).toEqual(['+OK Maildrop locked and ready']);
  });

  it('refuses a watch-only lesson', async () => {
    await expect(LessonPractice.start(fileLesson('rfc5034/digest-md5.lesson'))).rejects.toThrow(/watch-only lesson cannot be practised/);
  });
});

describe('predictions', () => {
  const PREDICTING = `id: t
title: t
protocol: smtp
rfc: RFC 5321
user: alice wonderland
== session ==
S: 220 maillab.test ESMTP maillab ready
C: EHLO me.example
S: 250-maillab.test greets me.example
S: 250-PIPELINING
S: 250-SIZE 10485760
S: 250-8BITMIME
S: 250-SMTPUTF8
S: 250-CHUNKING
S: 250-ENHANCEDSTATUSCODES
S: 250 HELP
A recipient before a sender.
predict: code
C: RCPT TO:<alice@maillab.test>
S: 503 5.5.1 Need MAIL before RCPT
C: MAIL FROM:<me@example.org>
predict: state After MAIL, where is the session?
S: 250 2.1.0 sender <me@example.org> OK
predict: verdict
C: RCPT TO:<nobody@maillab.test>
S: 550 5.1.1 no such user here: <nobody@maillab.test>
`;

  it('are parsed onto their steps, before the C: lines or between C: and S:', () => {
    const steps = lessonFrom(PREDICTING).sessions[0]!.steps;
    expect(steps[2]!.predict).toEqual({ kind: 'code', line: 18 });
    expect(steps[2]!.narration).toEqual(['A recipient before a sender.']);
    expect(steps[3]!.predict).toEqual({ kind: 'state', question: 'After MAIL, where is the session?', line: 22 });
    expect(steps[4]!.predict).toMatchObject({ kind: 'verdict' });
  });

  it('watch: the question with the client line, the answer (from the server\'s reply and state) with the reply', async () => {
    const renderer = createLessonStepRenderer();
    const steps = await all(lessonFrom(PREDICTING));
    const [first, second] = renderer.chunks(steps[2]!);
    expect(first!.lines).toContain('   ? Predict: which three-digit code will the server answer?');
    expect(second!.lines).toContain('   = answer: 503');
    expect(renderer.lines(steps[3]!)).toContain('   = answer: MAIL');
    expect(renderer.lines(steps[4]!)).toContain('   = answer: refused');
  });

  it('practice: the reply waits for the prediction, which is judged and scored', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(PREDICTING));
    accepted(await practice.submit('EHLO me.example'));
    expect(await practice.submit('RCPT TO:<alice@maillab.test>')).toEqual({ kind: 'predict', prediction: { kind: 'code', line: 18 }, question: 'Predict: which three-digit code will the server answer?' });
    expect(practice.predicting?.prediction.kind).toBe('code');
    const code = await practice.submit('503');
    expect(code).toMatchObject({ kind: 'accepted', prediction: { right: true, answer: '503' } });
    if (code.kind === 'accepted') expect(code.played[0]!.received).toEqual(['503 5.5.1 Need MAIL before RCPT']);
    expect(await practice.submit('MAIL FROM:<me@example.org>')).toMatchObject({ kind: 'predict', question: 'After MAIL, where is the session?' });
    expect(await practice.submit('rcpt')).toMatchObject({ kind: 'accepted', prediction: { right: false, answer: 'MAIL', typed: 'rcpt' } });
    expect(await practice.submit('RCPT TO:<nobody@maillab.test>')).toMatchObject({ kind: 'predict' });
    expect(await practice.submit('refused')).toMatchObject({ kind: 'accepted', prediction: { right: true, answer: 'refused' } });
    expect(practice.finished).toBe(true);
    expect(practice.score).toEqual({ exchanges: 4, firstTry: 4, refused: 0, revealed: 0, predictions: 3, predictionsRight: 2 });
  });

  it.each([
    ['code', '503', '503 5.5.1', true],
    ['code', '503', '550', false],
    ['code', '+OK', '+ok', true],
    ['code', '-ERR', 'err', true],
    ['code', '-ERR', '+OK', false],
    ['state', 'TRANSACTION', 'transaction', true],
    ['verdict', 'refused', 'no', true],
    ['verdict', 'accepted', 'refuse', false],
  ] as const)('%s: answer %s, said %s → %s', (kind, answer, said, right) => {
    expect(predictionRight(kind, said, answer)).toBe(right);
  });
});

describe('which typed lines count as the lesson\'s', () => {
  it.each([
    ['pop3', 'RETR 1', 'retr 1', true],
    ['pop3', 'RETR 1', 'RETR 01', true],
    ['pop3', 'RETR 1', 'RETR 1 ', true],
    ['pop3', 'RETR 1', 'RETR 2', false],
    ['pop3', 'TOP 1 10', 'top 1 010', true],
    ['pop3', 'USER mrose', 'user MROSE', false],
    ['pop3', 'PASS secret', 'pass secret', true],
    ['pop3', 'PASS secret', 'PASS Secret', false],
    ['pop3', 'AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=', 'auth plain dGVzdAB0ZXN0AHRlc3Q=', true],
    ['smtp', 'MAIL FROM:<Smith@bar.com>', 'mail from:<Smith@BAR.COM>', true],
    ['smtp', 'MAIL FROM:<Smith@bar.com>', 'MAIL FROM:<smith@bar.com>', false],
    ['smtp', 'MAIL FROM:<a@b> BODY=8BITMIME', 'MAIL FROM:<a@b> body=8BITMIME', true],
    ['smtp', 'EHLO bar.com', 'ehlo BAR.COM', true],
    ['smtp', 'EHLO bar.com', 'HELO bar.com', false],
  ] as const)('%s: %s ~ %s → %s', (protocol, expected, typed, same) => {
    expect(sameLine(protocol, expected, typed, 'command')).toBe(same);
  });

  it('takes message text and SASL responses only exactly', () => {
    expect(sameLine('smtp', 'Blah', 'blah', 'data')).toBe(false);
    expect(sameLine('smtp', 'Blah', 'Blah', 'data')).toBe(true);
    expect(sameLine('pop3', 'dGVzdA==', 'dGVzdA== ', 'sasl')).toBe(false);
  });
});

describe('every replay lesson can be practised to the end with its own lines', async () => {
  const { loadLessons } = await import('../../core/lab/lesson-folder.js');
  const { lessons } = await loadLessons(LESSONS);
  it.each(lessons.filter((lesson) => lesson.mode === 'replay').map((lesson) => [lesson.id, lesson] as const))('%s', async (_id, lesson) => {
    const { practice } = await LessonPractice.start(lesson);
    let predictions = 0;
    for (let guard = 0; !practice.finished && guard < 1000; guard++) {
      const result = practice.predicting ? await practice.submit('?') : await practice.submit(practice.expected!.text);
      if (result.kind === 'predict') predictions++;
      expect(result.kind, JSON.stringify(result)).not.toBe('refused');
    }
    expect(practice.finished).toBe(true);
    expect(practice.score).toMatchObject({ refused: 0, revealed: 0, predictions });
    expect(practice.score.firstTry).toBe(practice.score.exchanges);
  });
});
