import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayAll } from '../../core/lessons/check-lesson.js';
import { sameLine } from '../../core/lessons/equivalence.js';
import { inProcessLab } from '../../core/lessons/in-process-lab.js';
import type { Lesson } from '../../core/lessons/lesson.js';
import { buildLessonLab } from '../../core/lessons/lesson-lab.js';
import { LessonRun, watchLesson } from '../../core/lessons/lesson-run.js';
import { parseLesson } from '../../core/lessons/parse-lesson.js';
import { LessonPractice, type PracticeResult } from '../../core/lessons/practice.js';
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

  it('renders a step: narration, C: lines, what the command means, S: lines, placeholders collapsed', async () => {
    const steps = await all(lessonFrom(POP3_LESSON));
    const renderer = createLessonStepRenderer();
    const text = steps.map((step) => renderer.lines(step).join('\n')).join('\n');
    expect(text).toContain('--- a new connection to dewey (POP3) ---');
    expect(text).toMatch(/C: RETR 2\n {3}= RETR: sends a whole message[^\n]*\nS: \+OK 200 octets\nS: \{message 2\} \(5 lines\)\nS: \.\n/);
    expect(text).toContain('--- connection closed ---');
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

describe('practice mode', () => {
  it('plays the greeting, then takes the lesson\'s lines in any case the protocol allows', async () => {
    const { practice, played } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    expect(played.map((step) => step.received)).toEqual([['+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>']]);
    expect(practice.state).toBe('AUTHORIZATION');
    const login = accepted(await practice.submit('apop mrose C4C9334BAC560ECC979E58001B3E22FB'));
    expect(login[0]).toMatchObject({ sent: ['apop mrose C4C9334BAC560ECC979E58001B3E22FB'], received: ["+OK mrose's maildrop has 2 messages (320 octets)"] });
    expect(login[0]!.difference).toBeUndefined();
    expect(practice.state).toBe('TRANSACTION');
    const retr = accepted(await practice.submit('Retr 02'));
    expect(retr[0]!.received[0]).toBe('+OK 200 octets');
    accepted(await practice.submit('quit'));
    expect(practice.finished).toBe(true);
    expect(await practice.submit('NOOP')).toEqual({ kind: 'finished' });
  });

  it('explains a command the state does not allow, from the catalogue, and does not send it', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    const result = await practice.submit('STAT');
    expect(result).toMatchObject({ kind: 'hint', hint: { kind: 'wrong-state' } });
    if (result.kind !== 'hint') return;
    expect(result.hint.text).toBe('STAT is only valid in the TRANSACTION state (RFC 1939 §5); the session is in AUTHORIZATION, so the server would refuse it.');
    expect(result.hint.entries.map((entry) => entry.key)).toEqual(['pop3.command.STAT', 'pop3.command.APOP']);
    expect(practice.state).toBe('AUTHORIZATION');
  });

  it('explains an out-of-order command with what the lesson does next', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    const result = await practice.submit('USER mrose');
    expect(result).toMatchObject({ kind: 'hint', hint: { kind: 'other-command' } });
    if (result.kind === 'hint') expect(result.hint.text).toMatch(/^USER is not what the lesson does next\. The client now sends APOP: logs in with MD5/);
  });

  it('names an unknown command, with close names to try', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    const result = await practice.submit('APOQ mrose x');
    expect(result).toMatchObject({ kind: 'hint', hint: { kind: 'unknown-command', text: '"APOQ" is not a POP3 command; did you mean APOP?' } });
  });

  it('says when the command is right but its arguments are not, with the syntax', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    const result = await practice.submit('APOP mrose 00000000000000000000000000000000');
    expect(result).toMatchObject({ kind: 'hint', hint: { kind: 'wrong-arguments' } });
    if (result.kind === 'hint') expect(result.hint.text).toContain('APOP name digest (RFC 1939 §7)');
  });

  it('reveals the expected line and explains it on request', async () => {
    const { practice } = await LessonPractice.start(lessonFrom(POP3_LESSON));
    expect(practice.reveal()).toBe('APOP mrose c4c9334bac560ecc979e58001b3e22fb');
    expect(practice.explainNext()).toBe('Next, the client sends APOP: logs in with MD5(greeting timestamp + shared secret), so the secret never crosses the wire; but an overheard digest lets anyone try secrets offline, so RFC 1939 §7 and §13 want long secrets (RFC 1939 §7).');
    accepted(await practice.submit(practice.reveal()!));
    expect(practice.reveal()).toBe('RETR 2');
  });

  it('inside DATA, wants the message lines exactly, and sends placeholder lines for the learner', async () => {
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
    const wrongCase = await practice.submit('RCPT TO:<jones@foo.com>');
    expect(wrongCase).toMatchObject({ kind: 'hint', hint: { kind: 'wrong-arguments' } });
    accepted(await practice.submit('RCPT to:<Jones@FOO.com>'));
    const data = accepted(await practice.submit('DATA'));
    expect(data[0]!.received).toEqual(['354 Start mail input; end with <CRLF>.<CRLF>']);
    // The fixture message went out by itself; the learner types the rest, exactly.
    expect(practice.expected!.text).toBe('Typed by the learner');
    expect(await practice.submit('typed by the learner')).toMatchObject({ kind: 'hint', hint: { kind: 'data-line' } });
    expect(accepted(await practice.submit('Typed by the learner'))).toEqual([]);
    const end = accepted(await practice.submit('.'));
    expect(end[0]!.sent).toEqual(['Subject: fixture', '', '..starts with a dot', 'Typed by the learner', '.']);
    expect(end[0]!.received).toEqual(['250 OK']);
    expect(practice.finished).toBe(true);
  });

  it('wants a SASL response exactly, and explains why', async () => {
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
    expect(await practice.submit('dgvzdab0zxn0ahrlc3q=')).toMatchObject({ kind: 'hint', hint: { kind: 'sasl-line' } });
    const done = accepted(await practice.submit('dGVzdAB0ZXN0AHRlc3Q='));
    expect(done[0]!.received).toEqual(['+OK Maildrop locked and ready']);
  });

  it('refuses a watch-only lesson', async () => {
    await expect(LessonPractice.start(fileLesson('rfc5034/digest-md5.lesson'))).rejects.toThrow(/watch-only lesson cannot be practised/);
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
