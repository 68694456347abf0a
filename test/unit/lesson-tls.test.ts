/**
 * TLS in lessons: the `tls:` field and its `tls.capabilities:`/`tls.text.KEY:`
 * companions, the `== tls ==` marker and its checks, the handshake simulated
 * in process (the engines' CAPA and EHLO change as over a real connection),
 * the real one over TCP, watch-only lessons, the player's rendering and practice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../core/events.js';
import { checkLesson, replayAll } from '../../core/lab/check-lesson.js';
import { inProcessLab } from '../../core/lessons/in-process-lab.js';
import type { Lesson } from '../../core/lessons/lesson.js';
import { buildLessonLab } from '../../core/lessons/lesson-lab.js';
import { watchLesson } from '../../core/lessons/lesson-run.js';
import { formatProblems, parseLesson } from '../../core/lessons/parse-lesson.js';
import { LessonPractice } from '../../core/lessons/practice.js';
import { Replay, type PlayedStep } from '../../core/lessons/replay.js';
import { startTcpLab } from '../../core/net/lesson-tcp-lab.js';
import { createLessonStepRenderer } from '../../core/render/lesson-step.js';

const LESSONS = join(__dirname, '../../lessons');
const POP3 = ['id: t', 'title: t', 'protocol: pop3', 'rfc: RFC 2595 §4'];
const SMTP = ['id: t', 'title: t', 'protocol: smtp', 'rfc: RFC 3207 §5'];
const POP3_GREETING = 'S: +OK POP3 server ready <1896.697170952@maillab.test>';

function parse(lines: readonly string[]): Lesson {
  const result = parseLesson(lines.join('\n'));
  if (!result.ok) throw new Error(formatProblems(result.problems, 'test.lesson'));
  return result.lesson;
}

function problems(lines: readonly string[]): string[] {
  const result = parseLesson(lines.join('\n'));
  if (result.ok) throw new Error('expected the lesson not to parse');
  return result.problems.map((problem) => `${problem.line}: ${problem.message}`);
}

const fileLesson = (path: string) => parse(readFileSync(join(LESSONS, path), 'utf8').split('\n'));

async function inProcess(lesson: Lesson) {
  return replayAll(lesson, inProcessLab(await buildLessonLab(lesson)));
}

/** Every step over one lab, with the events that came in late (over TCP the server's come after the handshake). */
async function played(lesson: Lesson, kind: 'in-process' | 'tcp'): Promise<{ steps: PlayedStep[]; events: WireEvent[] }> {
  const parts = await buildLessonLab(lesson);
  const lab = kind === 'tcp' ? await startTcpLab(parts) : inProcessLab(parts);
  const replay = new Replay(lesson, lab);
  const steps: PlayedStep[] = [];
  const events: WireEvent[] = [];
  try {
    while (replay.current) {
      const step = await replay.playStep();
      steps.push(step);
      events.push(...step.events);
    }
  } finally {
    await replay.stop();
    await lab.close();
  }
  return { steps, events };
}

describe('the tls: field and what the server says under TLS', () => {
  it('reads tls: on, tls.capabilities: and tls.text.KEY:, per protocol', () => {
    const pop3 = parse([...POP3, 'tls: on', 'capabilities: USER, STLS', 'tls.capabilities: USER, SASL PLAIN', 'tls.text.capa-heading: Secure list', '== session ==', 'S: +OK']);
    expect(pop3.servers[0]).toMatchObject({ tls: true, capabilities: ['USER', 'STLS'], tlsCapabilities: ['USER', 'SASL PLAIN'], tlsTexts: [{ key: 'capaHeading', template: 'Secure list', line: 8 }] });
    const smtp = parse([...SMTP, 'tls: off', 'text.starttls: Go ahead', '== session ==', 'S: 220 x']);
    expect(smtp.servers[0]).toMatchObject({ tls: false, texts: [{ key: 'starttls', template: 'Go ahead' }], tlsTexts: [] });
  });

  it('gives each server block its own tls:, the header\'s tls.text. lines inherited', () => {
    const lesson = parse([...SMTP, 'tls.text.ehlo: {host} under TLS', '== server a ==', 'tls: on', '== server b ==', 'tls: on', 'tls.text.ehlo: b, secure', '== session a ==', 'S: 220 a']);
    expect(lesson.servers.map((server) => [server.name, server.tls, server.tlsTexts.map((text) => text.template)])).toEqual([
      ['a', true, ['{host} under TLS']],
      ['b', true, ['b, secure']],
    ]);
  });

  const STLS_STEP = ['== session ==', POP3_GREETING, 'C: STLS', 'S: +OK Begin TLS negotiation'];
  const cases: [string, readonly string[], string][] = [
    ['a flag that is neither on nor off', [...POP3, 'tls: yes', '== session ==', 'S: +OK'], '5: "tls:" is on or off, not "yes"'],
    ['an unknown text under TLS', [...SMTP, 'tls: on', 'tls.text.hello: hi', '== session ==', 'S: 220 x'], '6: unknown SMTP text "hello"'],
    ['an empty capability under TLS', [...POP3, 'tls: on', 'tls.capabilities: TOP,', '== session ==', 'S: +OK'], '6: tls.capabilities: lists the lines separated by commas'],
    ['texts under TLS without TLS', [...SMTP, 'tls.text.ehlo: hi', '== session ==', 'S: 220 x'], '5: "tls.text.ehlo:" says what the server sends under TLS, but it offers no TLS: add "tls: on"'],
    ['capabilities under TLS without TLS', [...POP3, 'tls: off', 'tls.capabilities: TOP', '== session ==', 'S: +OK'], '6: "tls.capabilities:" says what the server sends under TLS'],
    ['a marker outside a session', [...POP3, 'tls: on', '== tls ==', '== session ==', 'S: +OK'], '6: "== tls ==" belongs inside a session'],
    ['words after tls', [...POP3, 'tls: on', ...STLS_STEP, '== tls now =='], '10: "== tls ==" takes nothing after "tls"'],
    ['a marker without TLS', [...POP3, ...STLS_STEP, '== tls =='], '8: "== tls ==" after this line, but the server offers no TLS: add "tls: on" to the header'],
    ['a marker after narration', [...POP3, 'tls: on', ...STLS_STEP, 'The handshake.', '== tls =='], '11: "== tls ==" goes right after the server\'s positive reply to STLS or STARTTLS'],
    ['a marker after the greeting', [...POP3, 'tls: on', '== session ==', POP3_GREETING, '== tls =='], '8: "== tls ==" goes right after'],
    ['a marker after another command', [...POP3, 'tls: on', '== session ==', POP3_GREETING, 'C: NOOP', 'S: +OK', '== tls =='], '9: "== tls ==" after this line, but the client line before it is not STLS'],
    ['a marker after a refusal', [...POP3, 'tls: on', '== session ==', POP3_GREETING, 'C: STLS', 'S: -ERR no', '== tls =='], '9: "== tls ==" after this line, but the reply is not +OK'],
    ['no marker after a positive reply', [...POP3, 'tls: on', ...STLS_STEP, 'C: CAPA', 'S: +OK'], '9: the TLS handshake starts after this +OK reply to STLS: put "== tls ==" on the next line'],
    ['no marker after 220 to STARTTLS', [...SMTP, 'tls: on', '== session ==', 'S: 220 x', 'C: EHLO a', 'S: 250 x', 'C: starttls', 'S: 220 2.0.0 Go'], '11: the TLS handshake starts after this 220 reply to STARTTLS'],
    ['a command pipelined after STLS', [...POP3, 'tls: on', '== session ==', POP3_GREETING, 'C: STLS', 'C: CAPA', 'S: +OK Begin TLS negotiation'], '8: the client sends nothing after STLS until the handshake is over (RFC 2595 §4)'],
  ];
  it.each(cases)('refuses %s', (_, lines, expected) => {
    expect(problems(lines)).toContainEqual(expect.stringContaining(expected));
  });

  it('marks the step the handshake follows, in a hidden block too', () => {
    const lesson = parse([...POP3, 'tls: on', '== session ==', '== hidden ==', POP3_GREETING, 'C: stls', 'S: +OK Begin TLS negotiation', '', '# the handshake', '== tls ==', '== shown ==', 'Under TLS now.', 'C: CAPA', 'S: +OK']);
    const steps = lesson.sessions[0]!.steps;
    expect(steps.map((step) => [step.hidden, step.tls ?? false])).toEqual([[true, false], [true, true], [false, false]]);
    expect(steps[2]!.narration).toEqual(['Under TLS now.']);
  });
});

describe('in process: the handshake is simulated when the engine asks for it', () => {
  it('POP3: STLS is offered, then gone from CAPA; a second STLS is refused', async () => {
    const lesson = parse([
      ...POP3, 'tls: on', 'response-codes: off', 'capabilities: USER, STLS, IMPLEMENTATION x', 'tls.capabilities: USER, SASL PLAIN, IMPLEMENTATION x', 'tls.text.capa-heading: Secure capabilities follow',
      '== session ==', POP3_GREETING,
      'C: CAPA', 'S: +OK Capability list follows', 'S: USER', 'S: STLS', 'S: IMPLEMENTATION x', 'S: .',
      'C: STLS', 'S: +OK Begin TLS negotiation', '== tls ==',
      'C: CAPA', 'S: +OK Secure capabilities follow', 'S: USER', 'S: SASL PLAIN', 'S: IMPLEMENTATION x', 'S: .',
      'C: STLS', 'S: -ERR Command not permitted when TLS active',
    ]);
    expect(await inProcess(lesson)).toEqual({ steps: 5 });
    const { steps } = await played(lesson, 'in-process');
    expect(steps[2]!.events).toContainEqual({ kind: 'tls', version: 'TLSv1.3', cipher: '(simulated in process)' });
    expect(steps[2]!.events).toContainEqual(expect.objectContaining({ kind: 'annotation', key: 'pop3.tls.established' }));
  });

  it('POP3: the computed CAPA list loses STLS under TLS, as over a real connection', async () => {
    const lesson = parse([...POP3, 'tls: on', '== session ==', POP3_GREETING, 'C: STLS', 'S: +OK', '== tls ==']);
    const parts = await buildLessonLab(lesson);
    const connection = await inProcessLab(parts).connect(0);
    const capa = async () => {
      await connection.send(Buffer.from('CAPA\r\n'));
      const lines: string[] = [];
      for (let line = ''; line !== '.'; lines.push(line)) line = (await connection.readLines(1))[0]!.toString();
      return lines;
    };
    await connection.readLines(1);
    expect(await capa()).toContain('STLS');
    // Anything pipelined after STLS is dropped, as a real adapter drops it (RFC 2595 §4).
    await connection.send(Buffer.from('STLS\r\nNOOP\r\n'));
    expect((await connection.leftover()).map(String)).toEqual(['+OK Begin TLS negotiation']);
    expect(connection.takeEvents()).toContainEqual({ kind: 'tls', version: 'TLSv1.3', cipher: '(simulated in process)' });
    const secure = await capa();
    expect(secure).not.toContain('STLS');
    expect(secure.slice(1, 3)).toEqual(['TOP', 'UIDL']);
    await connection.close();
  });

  it('SMTP: EHLO must come again; its text and keywords change, STARTTLS gone', async () => {
    const lesson = parse([
      ...SMTP, 'host: mx.test', 'tls: on', 'enhanced-status-codes: off', 'text.starttls: Go ahead', 'tls.text.ehlo: {host} under TLS greets {client}',
      '== session ==', 'S: 220 mx.test ESMTP maillab ready',
      'C: EHLO a.test', 'S: 250-mx.test greets a.test', 'S: 250-PIPELINING', 'S: 250-SIZE 10485760', 'S: 250-8BITMIME', 'S: 250-SMTPUTF8', 'S: 250-CHUNKING', 'S: 250-STARTTLS', 'S: 250 HELP',
      'C: STARTTLS', 'S: 220 Go ahead', '== tls ==',
      'C: MAIL FROM:<a@a.test>', 'S: 503 Send EHLO or HELO first (MAIL needs a greeting, RFC 5321 section 4.1.4)',
      'C: EHLO a.test', 'S: 250-mx.test under TLS greets a.test', 'S: 250-PIPELINING', 'S: 250-SIZE 10485760', 'S: 250-8BITMIME', 'S: 250-SMTPUTF8', 'S: 250-CHUNKING', 'S: 250 HELP',
    ]);
    const result = await inProcess(lesson);
    expect(result.difference).toBeUndefined();
    expect(result.steps).toBe(5);
  });

  it('SMTP: tls.capabilities: alone fixes the list under TLS; before it, the computed one', async () => {
    const lesson = parse([
      ...SMTP, 'host: mx.test', 'tls: on', 'tls.capabilities: 8BITMIME, DSN',
      '== session ==', 'S: 220 mx.test ESMTP maillab ready',
      'C: EHLO a.test', 'S: 250-mx.test greets a.test', 'S: 250-PIPELINING', 'S: 250-SIZE 10485760', 'S: 250-8BITMIME', 'S: 250-SMTPUTF8', 'S: 250-CHUNKING', 'S: 250-ENHANCEDSTATUSCODES', 'S: 250-STARTTLS', 'S: 250 HELP',
      'C: STARTTLS', 'S: 220 2.0.0 Ready to start TLS', '== tls ==',
      'C: EHLO a.test', 'S: 250-mx.test greets a.test', 'S: 250-8BITMIME', 'S: 250 DSN',
    ]);
    expect(await inProcess(lesson)).toEqual({ steps: 4 });
  });
});

describe('over TCP: a real handshake', () => {
  it('replays the TLS lessons with a real TLS session on the server side', async () => {
    for (const file of ['rfc2595/stls.lesson', 'rfc3207/starttls.lesson', 'rfc5034/auth-plain.lesson']) {
      const lesson = fileLesson(file);
      const { steps, events } = await played(lesson, 'tcp');
      expect(steps.map((step) => step.difference)).toEqual(steps.map(() => undefined));
      const tls = events.filter((event) => event.kind === 'tls');
      expect(tls.length, file).toBe(lesson.sessions.flatMap((session) => session.steps).filter((step) => step.tls).length);
      for (const event of tls) expect(event).toMatchObject({ kind: 'tls', version: expect.stringMatching(/^TLSv1\.[23]$/), cipher: expect.stringMatching(/^TLS_|^ECDHE/) });
    }
  });

  it('checks every TLS lesson in process and over TCP', async () => {
    for (const file of ['rfc2595/stls.lesson', 'rfc3207/starttls.lesson', 'rfc5034/auth-plain.lesson']) {
      const report = await checkLesson(fileLesson(file));
      expect(report.runs.map((run) => [run.lab, run.difference])).toEqual([['in-process', undefined], ['tcp', undefined]]);
    }
  });

  it('reports a reply that differs after the handshake, at its line', async () => {
    const text = readFileSync(join(LESSONS, 'rfc3207/starttls.lesson'), 'utf8').replace('S: 250-mail.imc.org touches your hand gently', 'S: 250-mail.imc.org shakes your hand');
    const parsed = parseLesson(text);
    if (!parsed.ok) throw new Error('the lesson should parse');
    const report = await checkLesson(parsed.lesson, { labs: ['tcp'] });
    expect(report.runs[0]!.difference).toMatchObject({ reason: 'mismatch', expected: '250-mail.imc.org shakes your hand for a moment', actual: '250-mail.imc.org touches your hand gently for a moment' });
  });
});

describe('playing a lesson with TLS', () => {
  it('watch: shows the handshake after the reply, before the engine says what changed', async () => {
    const renderer = createLessonStepRenderer();
    const lines: string[] = [];
    for await (const step of watchLesson(fileLesson('rfc2595/stls.lesson'))) lines.push(...renderer.lines(step));
    const text = lines.join('\n');
    expect(text).toMatch(/S: \+OK Begin TLS negotiation\n(?: {3}=[^\n]*\n)*--- TLS handshake: from here on the connection is encrypted ---\n {3}TLS TLSv1\.3 \(simulated in process\)\n {3}= TLS established/);
    expect(text).toContain('S: -ERR Command not permitted when TLS active');
  });

  it('watch-only: the trackers are told TLS is up', async () => {
    const lesson = parse([...POP3, 'mode: watch-only', 'reason: test', 'tls: on', '== session ==', POP3_GREETING, 'C: STLS', 'S: +OK Begin TLS negotiation', '== tls ==', 'C: CAPA', 'S: +OK', 'S: .']);
    const steps: PlayedStep[] = [];
    for await (const step of watchLesson(lesson)) steps.push(step);
    expect(steps[1]!.events).toContainEqual({ kind: 'tls', version: 'TLS', cipher: '(not replayed)' });
    expect(steps[1]!.events).toContainEqual(expect.objectContaining({ kind: 'annotation', key: 'pop3.tls.established', rfc: 'RFC 2595 §4' }));
  });

  it('practice: the learner types STARTTLS, the handshake is played, then EHLO again', async () => {
    const { practice } = await LessonPractice.start(fileLesson('rfc3207/starttls.lesson'));
    const ehlo = await practice.submit('ehlo mail.example.com');
    expect(ehlo.kind).toBe('accepted');
    // Sent, answered, and undone: the transaction it opened is gone, so STARTTLS is still allowed (RFC 3207 §4).
    expect(await practice.submit('MAIL FROM:<a@b>')).toMatchObject({ kind: 'refused', hint: { kind: 'other-command-taken' }, shown: { received: ['250 sender <a@b> OK'] } });
    expect(practice.state).toBe('READY');
    // The lesson asks for a prediction first: the state after STARTTLS and its handshake (RFC 3207 §4.2).
    expect(await practice.submit('starttls')).toMatchObject({ kind: 'predict', prediction: { kind: 'state' } });
    const starttls = await practice.submit('init');
    if (starttls.kind !== 'accepted') throw new Error('STARTTLS should be accepted');
    expect(starttls.prediction).toMatchObject({ right: true, answer: 'INIT' });
    expect(starttls.played[0]).toMatchObject({ received: ['220 Go ahead'], step: { tls: true } });
    expect(starttls.played[0]!.events).toContainEqual(expect.objectContaining({ kind: 'transition', from: 'READY', to: 'INIT' }));
    expect(starttls.next?.narration[0]).toMatch(/^Client and server negotiate a TLS session/);
    expect(practice.state).toBe('INIT');
    const again = await practice.submit('EHLO mail.example.com');
    if (again.kind !== 'accepted') throw new Error('EHLO should be accepted');
    expect(again.played[0]!.received).toEqual(['250-mail.imc.org touches your hand gently for a moment', '250-8BITMIME', '250 DSN']);
    expect(practice.finished).toBe(true);
  });
});
