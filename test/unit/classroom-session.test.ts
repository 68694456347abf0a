/**
 * The classroom session controller (core/classroom): real sandbox sessions,
 * a real lab over TCP for remote targets, and a lesson from lessons/; every
 * event stamped with one gapless seq per classroom session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '../../core/events.js';
import { Sandbox } from '../../core/sandbox/sandbox.js';
import { ClassroomSession, type ClassroomTarget } from '../../core/classroom/classroom-session.js';
import { parseClassroomCommand } from '../../core/classroom/classroom-commands.js';
import { startTestLab, type TestLab } from '../helpers/lab.js';

function recorder() {
  const envelopes: EventEnvelope[] = [];
  return {
    envelopes,
    onEnvelope: (envelope: EventEnvelope) => envelopes.push(envelope),
    lines: () => envelopes.flatMap(({ event }) => (event.kind === 'line' ? [`${event.from === 'client' ? 'C' : 'S'}: ${event.text}`] : [])),
    notices: () => envelopes.flatMap(({ event }) => (event.kind === 'notice' ? [event.text] : [])),
  };
}

const gapless = (envelopes: readonly EventEnvelope[]) => envelopes.map((envelope) => envelope.seq);
const oneToN = (envelopes: readonly EventEnvelope[]) => envelopes.map((_, index) => index + 1);

async function open(target: ClassroomTarget, sandbox = new Sandbox()) {
  const record = recorder();
  const session = await ClassroomSession.open(target, { sandbox, session: 'tab-1', clock: () => 42, onEnvelope: record.onEnvelope });
  return { session, record, sandbox };
}

describe('a classroom session on the sandbox', () => {
  it('logs in over POP3: state, status with user and message count, no password in any event, gapless seq', async () => {
    const { session, record } = await open({ kind: 'sandbox', server: 'pop3' });
    expect(session.protocol).toBe('pop3');
    expect(session.state).toBe('AUTHORIZATION');
    expect(record.lines()[0]).toMatch(/^S: \+OK POP3 server ready/);
    await session.submit(['USER alice']);
    await session.submit(['PASS wonderland']);
    await session.submit(['STAT']);
    expect(session.state).toBe('TRANSACTION');
    expect(session.status).toMatchObject({ target: 'sandbox pop3', protocol: 'pop3', tls: false, user: 'alice', messages: 4 });
    await session.submit(['DELE 1']);
    expect(session.status.messages).toBe(3);
    expect(JSON.stringify(record.envelopes)).not.toContain('wonderland');
    expect(gapless(record.envelopes)).toEqual(oneToN(record.envelopes));
    expect(new Set(record.envelopes.map((envelope) => envelope.session))).toEqual(new Set(['tab-1']));
    expect(record.envelopes.every((envelope) => envelope.at === 42)).toBe(true);
    await session.close();
  });

  it('sends mail with SMTP through DATA (input mode data, the envelope in the status) and POP3 lists it', async () => {
    const sandbox = new Sandbox();
    const { session: smtp } = await open({ kind: 'sandbox', server: 'smtp' }, sandbox);
    await smtp.submit(['EHLO me.example']);
    await smtp.submit(['MAIL FROM:<alice@maillab.test>']);
    await smtp.submit(['RCPT TO:<bob@maillab.test>']);
    expect(smtp.status.envelope).toEqual({ from: 'alice@maillab.test', to: ['bob@maillab.test'] });
    await smtp.submit(['DATA']);
    expect(smtp.inputMode).toBe('data');
    for (const line of ['Subject: hello', '', 'Hi Bob', '.']) await smtp.submit([line]);
    expect(smtp.inputMode).toBe('command');
    expect(smtp.state).toBe('READY');
    expect(smtp.status.envelope).toBeUndefined();
    await smtp.submit(['QUIT']);
    expect(smtp.closed).toBe(true);

    const { session: pop3, record } = await open({ kind: 'sandbox', server: 'pop3' }, sandbox);
    await pop3.submit(['USER bob', 'PASS builder', 'LIST']);
    expect(record.lines().some((line) => /^S: \+OK 1 messages? /.test(line))).toBe(true);
    expect(pop3.status.messages).toBe(1);
  });

  it('runs meta-commands as notices: /help, /explain, /decode, and /plain sends AUTH PLAIN masked', async () => {
    const { session, record } = await open({ kind: 'sandbox', server: 'pop3' });
    await session.meta('/help');
    expect(record.notices().at(-1)).toContain('/connect pop3|smtp|submission|URL');
    await session.meta('/explain 354');
    expect(record.notices().at(-1)).toMatch(/354/);
    await session.meta('/decode aGVsbG8=');
    expect(record.notices().at(-1)).toBe('"hello"');
    await session.meta('/plain alice wonderland');
    expect(session.state).toBe('TRANSACTION');
    expect(JSON.stringify(record.envelopes)).not.toContain(Buffer.from('\0alice\0wonderland').toString('base64'));
    await session.meta('/apop alice wonderland');
    expect(gapless(record.envelopes)).toEqual(oneToN(record.envelopes));
  });

  it('tells the learner when the session is closed', async () => {
    const { session, record } = await open({ kind: 'sandbox', server: 'pop3' });
    await session.submit(['QUIT']);
    expect(session.closed).toBe(true);
    await session.submit(['STAT']);
    expect(record.notices().at(-1)).toMatch(/closed/);
  });
});

describe('a classroom session on a real server over TCP', () => {
  let lab: TestLab;
  beforeAll(async () => {
    lab = await startTestLab();
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('logs in to the lab POP3 listener; the tracker gives state and status', async () => {
    const { session, record } = await open({ kind: 'remote', url: `pop3://127.0.0.1:${lab.pop3Port}` });
    expect(session.protocol).toBe('pop3');
    expect(session.status.target).toBe(`pop3://127.0.0.1:${lab.pop3Port}`);
    await session.submit(['USER alice']);
    await session.submit(['PASS wonderland']);
    await session.submit(['STAT']);
    expect(session.state).toBe('TRANSACTION');
    expect(session.status).toMatchObject({ user: 'alice', tls: false });
    expect(session.status.messages).toBeGreaterThan(0);
    expect(record.lines().some((line) => /^S: \+OK \d+ \d+$/.test(line))).toBe(true);
    expect(JSON.stringify(record.envelopes)).not.toContain('wonderland');
    expect(gapless(record.envelopes)).toEqual(oneToN(record.envelopes));
    await session.close();
  });

  it('upgrades with STARTTLS on submission (--starttls --insecure) and says TLS in the status', async () => {
    const { session } = await open({ kind: 'remote', url: `smtp://127.0.0.1:${lab.submissionPort}`, starttls: true, insecure: true });
    expect(session.status.tls).toBe(true);
    expect(session.state).toBe('INIT');
    await session.close();
  });

  it('rejects when nothing listens', async () => {
    await expect(open({ kind: 'remote', url: 'pop3://127.0.0.1:1' })).rejects.toThrow();
  });
});

describe('a classroom session playing a lesson', () => {
  it('steps through a lesson: narration as notices, the wire events as they are, progress in the status, false at the end', async () => {
    const { session, record } = await open({ kind: 'lesson', id: 'rfc1939-s10', mode: 'step' });
    expect(session.status.lesson).toMatchObject({ id: 'rfc1939-s10', step: 0 });
    expect(await session.next()).toBe(true);
    expect(session.status.lesson?.step).toBe(1);
    expect(record.lines()[0]).toMatch(/^S: \+OK/);
    let steps = 1;
    while (await session.next()) steps++;
    expect(steps).toBe(session.status.lesson?.of);
    expect(record.notices().at(-1)).toMatch(/End of the lesson/);
    expect(record.lines()).toContain('C: STAT');
    expect(gapless(record.envelopes)).toEqual(oneToN(record.envelopes));
    expect(await session.next()).toBe(false);
  });

  it('steps in halves when asked (client lines, then the reply), as the CLI player does; watch plays whole steps', async () => {
    const record = recorder();
    const session = await ClassroomSession.open({ kind: 'lesson', id: 'rfc1939-s10', mode: 'step' }, { sandbox: new Sandbox(), onEnvelope: record.onEnvelope, stepInHalves: true });
    await session.next();
    expect(record.lines()).toEqual([expect.stringMatching(/^S: \+OK POP3 server ready/)]);
    await session.next();
    expect(record.lines().at(-1)).toMatch(/^C: APOP mrose/);
    expect(session.status.lesson?.step).toBe(2);
    expect(session.state).toBe('AUTHORIZATION');
    await session.next();
    expect(record.lines().at(-1)).toMatch(/^S: \+OK mrose's maildrop/);
    expect(session.state).toBe('TRANSACTION');
    let calls = 3;
    while (await session.next()) calls++;
    expect(calls).toBeGreaterThan(session.status.lesson!.of);
    expect(record.notices().at(-1)).toMatch(/End of the lesson/);
    const watch = recorder();
    const whole = await ClassroomSession.open({ kind: 'lesson', id: 'rfc1939-s10', mode: 'watch' }, { sandbox: new Sandbox(), onEnvelope: watch.onEnvelope, stepInHalves: true });
    await whole.next();
    await whole.next();
    expect(watch.lines().at(-1)).toMatch(/^S: \+OK mrose's maildrop/);
  });

  it('practises a lesson: lines typed are judged; /reveal gives the next line', async () => {
    const { session, record } = await open({ kind: 'lesson', id: 'rfc1939-s10', mode: 'practice' });
    for (let guard = 0; guard < 40 && !session.closed; guard++) {
      await session.meta('/reveal');
      const line = /: (.*)$/.exec(record.notices().at(-1)!)![1]!;
      await session.submit([line]);
    }
    expect(session.closed).toBe(true);
    expect(record.notices().some((text) => /Well done/.test(text))).toBe(true);
  });

  it('rejects an unknown lesson id', async () => {
    await expect(open({ kind: 'lesson', id: 'no-such-lesson', mode: 'step' })).rejects.toThrow(/no lesson "no-such-lesson"/);
  });
});

describe('classroom meta-commands', () => {
  it('parses what the front end does and what the session runs', () => {
    expect(parseClassroomCommand('/connect smtp')).toEqual({ kind: 'open', target: { kind: 'sandbox', server: 'smtp' } });
    expect(parseClassroomCommand('/connect pop3s://mail.example --insecure')).toEqual({ kind: 'open', target: { kind: 'remote', url: 'pop3s://mail.example', insecure: true } });
    expect(parseClassroomCommand('/connect ftp://x').kind).toBe('error');
    expect(parseClassroomCommand('/lesson rfc1939-s10 practice')).toEqual({ kind: 'open', target: { kind: 'lesson', id: 'rfc1939-s10', mode: 'practice' } });
    expect(parseClassroomCommand('/annotations brief')).toEqual({ kind: 'annotations', level: 'brief' });
    expect(parseClassroomCommand('/save x.txt')).toEqual({ kind: 'save', path: 'x.txt' });
    expect(parseClassroomCommand('/explain RETR')).toEqual({ kind: 'session', line: '/explain RETR' });
    expect(parseClassroomCommand('/quit')).toEqual({ kind: 'quit' });
  });
});
