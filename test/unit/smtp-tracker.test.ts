/**
 * The SMTP client tracker against maillab's own SMTP engine, in lockstep: the
 * client's bytes go through the real input framer into the engine (commands,
 * DATA, BDAT chunks, pipelined batches), the engine's reply bytes are split
 * into lines and fed to the tracker, and after every step the tracker must name
 * the same state and have emitted the same transitions and content summaries.
 */
import { describe, expect, it } from 'vitest';
import { smtpKeywordAnnotations } from '../../core/annotations/annotate.js';
import { SmtpTracker } from '../../core/client/smtp-tracker.js';
import { BODY_CONTENT_LIMIT, type BodyEvent, type WireEvent } from '../../core/events.js';
import { InputFramer } from '../../core/framing/input-framer.js';
import { DEFAULT_SMTP_PERSONA, RFC5321_TEXTS } from '../../core/smtp/persona.js';
import type { SmtpSessionOptions } from '../../core/smtp/options.js';
import { makeSmtpHarness, type SmtpHarness } from '../helpers/smtp-harness.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const TLS = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' };

/** The persona of RFC 5321 Appendix D.1 (as in smtp-rfc5321-d1.test.ts). */
const FOO_COM = {
  ...DEFAULT_SMTP_PERSONA,
  hostname: 'foo.com',
  texts: RFC5321_TEXTS,
  enhancedStatusCodes: false,
  ehloKeywords: ['8BITMIME', 'SIZE', 'DSN', 'HELP'],
};

/** A tracker that has seen a greeting and the given command/reply pairs (a server we did not write). */
function scriptedTracker(...exchanges: [string, string][]): SmtpTracker {
  const tracker = new SmtpTracker();
  tracker.connected();
  tracker.received('220 mx.example ESMTP');
  for (const [command, reply] of exchanges) {
    tracker.sent(command);
    tracker.received(reply);
  }
  return tracker;
}

function wireLines(bytes: Buffer): string[] {
  const text = bytes.toString('latin1');
  if (text === '') return [];
  expect(text.endsWith('\r\n')).toBe(true);
  return text.slice(0, -2).split('\r\n');
}

const ofKind = <K extends WireEvent['kind']>(events: readonly WireEvent[], kind: K) =>
  events.filter((event): event is Extract<WireEvent, { kind: K }> => event.kind === kind);
const annotationKeys = (events: readonly WireEvent[]) => ofKind(events, 'annotation').map((event) => event.key);
const transitionPairs = (events: readonly WireEvent[]) => ofKind(events, 'transition').map((event) => `${event.from}>${event.to}`);

/** An engine behind the real input framer, and a tracker, driven in lockstep. */
class Lockstep {
  readonly tracker = new SmtpTracker();
  readonly h: SmtpHarness;
  readonly trackerEvents: WireEvent[] = [];
  readonly engineEvents: WireEvent[] = [];
  private readonly framer = new InputFramer();

  constructor(options: Partial<SmtpSessionOptions> = {}, users?: Record<string, string>, domains?: string[], greet = true) {
    this.h = makeSmtpHarness(options, users, domains);
    this.trackerEvents.push(...this.tracker.connected());
    if (!greet) return;
    this.engineEvents.push(...this.h.greeting.events);
    this.receive(this.h.greeting.bytes);
    this.check();
  }

  /** One write of client lines (commands or content): one command is a plain step, several a pipelined batch. */
  async send(...lines: string[]): Promise<WireEvent[]> {
    const start = this.trackerEvents.length;
    for (const line of lines) this.trackerEvents.push(...this.tracker.sent(line));
    this.framer.push(Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'utf8'));
    const replies: Buffer[] = [];
    let startTls = false;
    const session = this.h.session;
    while (session.state !== 'CLOSED' && !startTls) {
      const item = this.framer.next(session.inputMode);
      if (!item) break;
      const output =
        item.kind === 'line' ? await session.receiveLine(item)
        : item.kind === 'data' ? await session.receiveData(item)
        : item.kind === 'chunk' ? await session.receiveChunk(item)
        : session.overlong(item.limit);
      this.engineEvents.push(...output.events);
      replies.push(output.bytes);
      startTls = output.startTls;
    }
    this.receive(Buffer.concat(replies));
    if (startTls) {
      this.engineEvents.push(...session.tlsEstablished(TLS).events);
      this.trackerEvents.push(...this.tracker.tlsEstablished(TLS));
    }
    this.check();
    return this.trackerEvents.slice(start);
  }

  receive(bytes: Buffer): WireEvent[] {
    const events = wireLines(bytes).flatMap((line) => this.tracker.received(line));
    this.trackerEvents.push(...events);
    return events;
  }

  check(): void {
    expect(this.tracker.state).toBe(this.h.session.state);
    expect(ofKind(this.trackerEvents, 'transition')).toEqual(ofKind(this.engineEvents, 'transition'));
    expect(this.tracker.closed).toBe(this.h.session.state === 'CLOSED');
    // What the client sent as message content, summarised the same way on both sides.
    expect(ofKind(this.trackerEvents, 'body')).toEqual(ofKind(this.engineEvents, 'body'));
  }
}

async function inTransaction(options: Partial<SmtpSessionOptions> = {}): Promise<Lockstep> {
  const run = new Lockstep(options);
  await run.send('EHLO client.example');
  await run.send('MAIL FROM:<alice@maillab.test>');
  await run.send('RCPT TO:<bob@maillab.test>');
  expect(run.tracker.state).toBe('RCPT');
  return run;
}

describe('RFC 5321 Appendix D.1', () => {
  it('follows the example session with the engine, line for line', async () => {
    const run = new Lockstep({ persona: FOO_COM }, { Jones: 'x', Brown: 'y' }, ['foo.com']);
    expect(run.tracker.awaitingReply).toBe(false);
    const ehlo = await run.send('EHLO bar.com');
    // The client line and its annotation, the five reply lines, their annotations, and the transition last.
    expect(ehlo.slice(0, 7).map((event) => event.kind)).toEqual(['line', 'annotation', 'line', 'line', 'line', 'line', 'line']);
    expect(ehlo.slice(7).every((event) => event.kind === 'annotation' || event === ehlo.at(-1))).toBe(true);
    expect(ehlo.at(-1)).toEqual({ kind: 'transition', protocol: 'smtp', from: 'INIT', to: 'READY', cause: expect.stringContaining('EHLO accepted'), rfc: 'RFC 5321 §4.1.1.1' });
    expect([...run.tracker.extensions]).toEqual([['8BITMIME', ''], ['SIZE', ''], ['DSN', ''], ['HELP', '']]);
    await run.send('MAIL FROM:<Smith@bar.com>');
    await run.send('RCPT TO:<Jones@foo.com>');
    const green = await run.send('RCPT TO:<Green@foo.com>');
    expect(annotationKeys(green)).toContain('smtp.reply.550');
    await run.send('RCPT TO:<Brown@foo.com>');
    await run.send('DATA');
    expect(run.tracker.inputMode).toBe('data');
    expect(run.tracker.awaitingReply).toBe(false);
    expect(await run.send('Blah blah blah...')).toEqual([]);
    await run.send('...etc. etc. etc.');
    const end = await run.send('.');
    expect(end.slice(0, 2)).toEqual([
      expect.objectContaining({ kind: 'body', from: 'client', lines: 2, octets: 'Blah blah blah...\r\n..etc. etc. etc.\r\n'.length }),
      { kind: 'line', from: 'client', text: '.' },
    ]);
    await run.send('QUIT');
    expect(transitionPairs(run.trackerEvents)).toEqual(['INIT>READY', 'READY>MAIL', 'MAIL>RCPT', 'RCPT>DATA', 'DATA>READY', 'READY>CLOSED']);
    expect(run.tracker.closed).toBe(true);
    expect(run.h.delivered).toHaveLength(1);
  });
});

describe('EHLO', () => {
  it('exposes the advertised extensions and annotates each keyword', async () => {
    const run = new Lockstep({ listener: 'submission' });
    const events = await run.send('EHLO client.example');
    const lines = ofKind(events, 'line').filter((event) => event.from === 'server').map((event) => event.text.slice(4));
    expect(ofKind(events, 'annotation').filter((event) => event.about === 'keyword')).toEqual(smtpKeywordAnnotations(lines.slice(1)));
    const extensions = run.tracker.extensions;
    expect(extensions.get('SIZE')).toBe('10485760');
    expect(extensions.get('AUTH')).toBe('PLAIN LOGIN CRAM-MD5');
    expect(extensions.has('PIPELINING')).toBe(true);
    expect(extensions.has('STARTTLS')).toBe(true);
    // A second EHLO resets the session like the engine (READY to READY); HELO forgets the extensions.
    await run.send('EHLO again.example');
    await run.send('HELO plain.example');
    expect(run.tracker.extensions.size).toBe(0);
    expect(transitionPairs(run.trackerEvents)).toEqual(['INIT>READY', 'READY>READY', 'READY>READY']);
  });
});

describe('DATA', () => {
  it('counts dot-stuffed content and warns about a line the user did not stuff', async () => {
    const run = await inTransaction();
    await run.send('DATA');
    const content = ['Subject: dots', '', '..stuffed', '.unstuffed', '...', 'end'];
    const warnings: WireEvent[] = [];
    for (const line of content) warnings.push(...(await run.send(line)));
    expect(warnings).toEqual([
      {
        kind: 'annotation',
        about: 'warning',
        key: 'smtp.warning.unstuffed-dot',
        rfc: 'RFC 5321 §4.5.2',
        detail: '".unstuffed" starts with "." but was not dot-stuffed: the server removes that dot; send "..unstuffed" to keep it',
      },
    ]);
    expect(run.tracker.pending).toEqual([]);
    await run.send('.');
    expect(run.tracker.inputMode).toBe('command');
    expect(run.h.delivered[0]!.message.toString()).toMatch(/\r\nSubject: dots\r\n\r\n\.stuffed\r\nunstuffed\r\n\.\.\r\nend\r\n$/);
    expect(transitionPairs(run.trackerEvents).slice(-2)).toEqual(['RCPT>DATA', 'DATA>READY']);
  });

  it('after ".", the final reply is pending', () => {
    const tracker = scriptedTracker(['EHLO a', '250 hi'], ['MAIL FROM:<a@b>', '250 ok'], ['RCPT TO:<c@d>', '250 ok'], ['DATA', '354 go']);
    tracker.sent('hello');
    tracker.sent('.');
    expect(tracker.pending).toEqual(['.']);
    expect(tracker.awaitingReply).toBe(true);
    const refused = tracker.received('554 5.7.1 spam');
    expect(ofKind(refused, 'transition')).toEqual([expect.objectContaining({ from: 'DATA', to: 'READY', rfc: 'RFC 5321 §4.1.1.4' })]);
    expect(annotationKeys(refused)).toEqual(expect.arrayContaining(['smtp.reply.554', 'smtp.enhanced.5.7.1']));
  });

  it('a refused DATA (no valid recipients) changes nothing', async () => {
    const run = new Lockstep();
    await run.send('EHLO client.example');
    await run.send('MAIL FROM:<alice@maillab.test>');
    await run.send('RCPT TO:<nobody@maillab.test>');
    await run.send('DATA');
    expect(run.tracker.state).toBe('MAIL');
    expect(run.tracker.inputMode).toBe('command');
  });

  it('content sent after DATA before its 354 is taken as content once the 354 arrives', async () => {
    const run = await inTransaction();
    const events = await run.send('DATA', 'Subject: early', '.early', 'body', '.', 'NOOP');
    expect(annotationKeys(events)).toContain('smtp.warning.unstuffed-dot');
    expect(annotationKeys(events)).not.toContain('smtp.warning.unexpected-reply');
    expect(run.tracker.pending).toEqual([]);
    expect(run.h.delivered).toHaveLength(1);
  });
});

describe('BDAT (RFC 3030)', () => {
  it('while a chunk is being sent, the input is content and no reply is owed yet', () => {
    const tracker = scriptedTracker(['EHLO a', '250 hi'], ['MAIL FROM:<a@b>', '250 ok'], ['RCPT TO:<c@d>', '250 ok']);
    expect(tracker.sent('BDAT 20')).toContainEqual({ kind: 'annotation', about: 'command', key: 'smtp.command.BDAT', rfc: 'RFC 3030 §2' });
    expect(tracker.inputMode).toBe('data');
    expect(tracker.awaitingReply).toBe(false);
    expect(tracker.sent('Subject: chunk')).toEqual([]);
    expect(tracker.sent('ab')).toEqual([expect.objectContaining({ kind: 'body', from: 'client', lines: 2, octets: 20 })]);
    expect(tracker.inputMode).toBe('command');
    expect(tracker.awaitingReply).toBe(true);
    expect(tracker.pending).toEqual(['BDAT 20']);
  });

  it('follows BDAT chunks, the last one included, with the engine', async () => {
    const run = await inTransaction();
    // 'Subject: chunk' + CRLF = 16 octets, 'ab' + CRLF = 4: 20 in all.
    await run.send('BDAT 20', 'Subject: chunk', 'ab', 'BDAT 6 LAST', 'body');
    expect(transitionPairs(run.trackerEvents).slice(-2)).toEqual(['RCPT>BDAT', 'BDAT>READY']);
    expect(ofKind(run.trackerEvents, 'body')).toEqual([
      expect.objectContaining({ kind: 'body', from: 'client', lines: 2, octets: 20 }),
      expect.objectContaining({ kind: 'body', from: 'client', lines: 1, octets: 6 }),
    ]);
    expect(run.h.delivered[0]!.message.toString()).toMatch(/\r\nSubject: chunk\r\nab\r\nbody\r\n$/);
    await run.send('MAIL FROM:<alice@maillab.test>');
    await run.send('RCPT TO:<bob@maillab.test>');
    await run.send('BDAT 0 LAST');
    expect(run.tracker.state).toBe('READY');
  });

  it('a line running past the announced size is flagged; the rest reaches the server as a command', async () => {
    const run = await inTransaction();
    const events = await run.send('BDAT 5', 'abcdefgh');
    expect(events).toContainEqual(expect.objectContaining({ kind: 'annotation', key: 'smtp.warning.bdat-overrun' }));
    expect(annotationKeys(events)).toContain('smtp.warning.unexpected-reply');
    expect(run.tracker.state).toBe('BDAT');
  });

  it('BDAT before any recipient is refused without a change', async () => {
    const run = new Lockstep();
    await run.send('EHLO client.example');
    await run.send('BDAT 4 LAST', 'hi');
    expect(run.tracker.state).toBe('READY');
  });
});

describe('AUTH (RFC 4954)', () => {
  it('LOGIN: decoded challenges, masked responses, authenticated', async () => {
    const run = new Lockstep({ listener: 'submission' });
    await run.send('EHLO client.example');
    const first = await run.send('AUTH LOGIN');
    expect(first).toContainEqual({ kind: 'annotation', about: 'reply', key: 'smtp.sasl.challenge', rfc: 'RFC 4954 §4', detail: 'Username:' });
    expect(run.tracker.inputMode).toBe('sasl');
    expect(run.tracker.awaitingReply).toBe(false);
    const second = await run.send(b64('alice'));
    expect(second[0]).toEqual({ kind: 'line', from: 'client', text: '********', masked: true });
    expect(second).toContainEqual(expect.objectContaining({ key: 'smtp.sasl.challenge', detail: 'Password:' }));
    const done = await run.send(b64('wonderland'));
    expect(done).toContainEqual({ kind: 'annotation', about: 'state', key: 'smtp.auth.authenticated', rfc: 'RFC 4954 §4', detail: 'authenticated as alice' });
    expect(annotationKeys(done)).toEqual(expect.arrayContaining(['smtp.reply.235', 'smtp.enhanced.2.7.0']));
    expect(run.tracker.inputMode).toBe('command');
    await run.send('MAIL FROM:<alice@maillab.test>');
    expect(run.tracker.state).toBe('MAIL');
  });

  it('PLAIN with an initial response, pipelined with MAIL as RFC 4954 §4 allows', async () => {
    const run = new Lockstep({ listener: 'submission' });
    await run.send('EHLO client.example');
    const events = await run.send(`AUTH PLAIN ${b64('\0bob\0builder')}`, 'MAIL FROM:<bob@maillab.test>');
    expect(events[0]).toEqual({ kind: 'line', from: 'client', text: 'AUTH PLAIN ********', masked: true });
    expect(run.tracker.state).toBe('MAIL');
  });

  it('a wrong password and "*" change nothing', async () => {
    const run = new Lockstep({ listener: 'submission' });
    await run.send('EHLO client.example');
    await run.send(`AUTH PLAIN ${b64('\0alice\0nope')}`);
    await run.send('AUTH LOGIN');
    await run.send('*');
    expect(run.tracker.inputMode).toBe('command');
    expect(annotationKeys(run.trackerEvents)).not.toContain('smtp.auth.authenticated');
  });

  it('never shows a secret, in events or in pending', async () => {
    const run = new Lockstep({ listener: 'submission' });
    await run.send('EHLO client.example');
    run.trackerEvents.push(...run.tracker.sent(`auth plain ${b64('\0alice\0wonderland')}`));
    const pending = [...run.tracker.pending];
    const other = new Lockstep({ listener: 'submission' });
    await other.send('EHLO client.example');
    await other.send('AUTH LOGIN', b64('bob'), b64('builder'));
    await other.send('AUTH CRAM-MD5');
    const text = JSON.stringify([...run.trackerEvents, ...other.trackerEvents, pending]);
    for (const secret of ['wonderland', 'builder', b64('\0alice\0wonderland'), b64('builder')]) expect(text).not.toContain(secret);
    expect(pending).toEqual(['auth plain ********']);
  });
});

describe('STARTTLS (RFC 3207)', () => {
  it('220, then TLS: back to INIT with the extensions forgotten; EHLO again', async () => {
    const run = new Lockstep();
    await run.send('EHLO client.example');
    expect(run.tracker.extensions.has('STARTTLS')).toBe(true);
    const events = await run.send('STARTTLS');
    expect(events).toContainEqual({ kind: 'tls', ...TLS });
    expect(ofKind(events, 'transition')).toEqual([expect.objectContaining({ from: 'READY', to: 'INIT', rfc: 'RFC 3207 §4.2' })]);
    expect(run.tracker.extensions.size).toBe(0);
    await run.send('EHLO client.example');
    expect(run.tracker.extensions.has('STARTTLS')).toBe(false);
  });

  it('implicit TLS changes no state', () => {
    const tracker = new SmtpTracker();
    tracker.connected();
    expect(tracker.tlsEstablished(TLS)).toEqual([{ kind: 'tls', ...TLS }]);
    expect(tracker.state).toBe('INIT');
  });
});

describe('RSET and QUIT', () => {
  it('RSET abandons the transaction; in READY it is READY to READY like the engine', async () => {
    const run = await inTransaction();
    await run.send('RSET');
    await run.send('RSET');
    await run.send('QUIT');
    expect(transitionPairs(run.trackerEvents).slice(-3)).toEqual(['RCPT>READY', 'READY>READY', 'READY>CLOSED']);
  });

  it('RSET before EHLO changes nothing', async () => {
    const run = new Lockstep();
    await run.send('RSET');
    expect(ofKind(run.trackerEvents, 'transition')).toEqual([]);
  });
});

describe('pipelining (RFC 2920)', () => {
  it('pairs a batch of MAIL, RCPTs and DATA, then content, "." and more commands in one write', async () => {
    const run = new Lockstep();
    await run.send('EHLO client.example');
    run.trackerEvents.push(...run.tracker.sent('MAIL FROM:<alice@maillab.test>'));
    expect(run.tracker.pending).toEqual(['MAIL FROM:<alice@maillab.test>']);
    // Sent again through the driver as one batch with the rest (the tracker has seen MAIL already).
    const batch = ['RCPT TO:<bob@maillab.test>', 'RCPT TO:<nobody@maillab.test>', 'RCPT TO:<alice@maillab.test>', 'DATA'];
    for (const line of batch) run.trackerEvents.push(...run.tracker.sent(line));
    expect(run.tracker.pending).toHaveLength(5);
    expect(run.tracker.awaitingReply).toBe(true);
    const engine = makeReplies(run, ['MAIL FROM:<alice@maillab.test>', ...batch]);
    const events = run.receive(await engine);
    run.check();
    expect(annotationKeys(events).filter((key) => key.startsWith('smtp.reply.'))).toEqual(['smtp.reply.250', 'smtp.reply.250', 'smtp.reply.550', 'smtp.reply.250', 'smtp.reply.354']);
    expect(run.tracker.inputMode).toBe('data');
    await run.send('Subject: batch', '', 'hello', '.', 'MAIL FROM:<bob@maillab.test>', 'RCPT TO:<alice@maillab.test>', 'RSET', 'NOOP', 'QUIT');
    expect(transitionPairs(run.trackerEvents)).toEqual(['INIT>READY', 'READY>MAIL', 'MAIL>RCPT', 'RCPT>DATA', 'DATA>READY', 'READY>MAIL', 'MAIL>RCPT', 'RCPT>READY', 'READY>CLOSED']);
    expect(annotationKeys(run.trackerEvents)).not.toContain('smtp.warning.unexpected-reply');
  });
});

/** Feeds lines to the engine only (the tracker has seen them), returning the reply bytes. */
async function makeReplies(run: Lockstep, lines: string[]): Promise<Buffer> {
  const replies: Buffer[] = [];
  for (const line of lines) {
    const output = await run.h.output(line);
    run.engineEvents.push(...output.events);
    replies.push(output.bytes);
  }
  return Buffer.concat(replies);
}

describe('421 and closing', () => {
  it('421 for a timeout closes with the timeout cause', async () => {
    const run = await inTransaction();
    const output = run.h.session.timeout();
    run.engineEvents.push(...output.events);
    const events = run.receive(output.bytes);
    run.check();
    expect(ofKind(events, 'transition')).toEqual([expect.objectContaining({ to: 'CLOSED', rfc: 'RFC 5321 §4.5.3.2' })]);
  });

  it('421 after too many errors closes with that cause', async () => {
    const run = new Lockstep({ maxBadCommands: 3 });
    await run.send('EHLO client.example');
    await run.send('FOO', 'BAR', 'BAZ');
    expect(ofKind(run.trackerEvents, 'transition').at(-1)).toEqual(expect.objectContaining({ to: 'CLOSED', rfc: 'RFC 5321 §4.2.2' }));
  });

  it('554 to a client that talked before the greeting', async () => {
    const run = new Lockstep({}, undefined, undefined, false);
    run.trackerEvents.push(...run.tracker.sent('EHLO early.example'));
    expect(annotationKeys(run.trackerEvents)).toContain('smtp.warning.early-talker');
    const output = run.h.session.earlyTalker();
    run.engineEvents.push(...output.events);
    run.receive(output.bytes);
    run.check();
    expect(run.tracker.closed).toBe(true);
  });

  it('a 554 greeting without provocation closes too', () => {
    const tracker = new SmtpTracker();
    tracker.connected();
    const events = tracker.received('554 mail.example no SMTP service here');
    expect(ofKind(events, 'transition')).toEqual([expect.objectContaining({ from: 'INIT', to: 'CLOSED' })]);
    expect(tracker.closed).toBe(true);
    expect(tracker.awaitingReply).toBe(false);
  });
});

describe('robustness', () => {
  it('reports garbage, a code change inside a reply and a reply with nothing pending, then goes on', async () => {
    const run = new Lockstep();
    await run.send('EHLO client.example');
    expect(ofKind(run.tracker.received('HTTP/1.1 400 Bad Request'), 'error')).toEqual([expect.objectContaining({ code: 'BAD_REPLY' })]);
    expect(run.tracker.received('250-first')).toEqual([{ kind: 'line', from: 'server', text: '250-first' }]);
    expect(ofKind(run.tracker.received('251 second'), 'error')[0]?.message).toMatch(/code changed/);
    expect(annotationKeys(run.tracker.received('250 surprise'))).toContain('smtp.warning.unexpected-reply');
    await run.send('MAIL FROM:<alice@maillab.test>');
    await run.send('QUIT');
    expect(annotationKeys(run.tracker.received('250 after the end'))).toContain('smtp.warning.unexpected-reply');
  });

  it('an endless multi-line reply is dropped, not held', () => {
    const tracker = new SmtpTracker();
    tracker.connected();
    tracker.received('220 hi');
    tracker.sent('EHLO a');
    const errors: WireEvent[] = [];
    let largest = 0;
    for (let i = 0; i < 20_000; i++) {
      errors.push(...ofKind(tracker.received(`250-${'x'.repeat(60)} ${i}`), 'error'));
      if (i % 1000 === 0) largest = Math.max(largest, JSON.stringify(tracker).length);
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ code: 'BAD_REPLY' });
    expect(largest).toBeLessThan(80 * 1024);
  });

  it('streams a large message without keeping it', async () => {
    const run = await inTransaction();
    await run.send('DATA');
    let largest = 0;
    for (let i = 0; i < 20_000; i++) {
      expect(run.tracker.sent(`line ${i} ${'y'.repeat(60)}`)).toEqual([]);
      if (i % 2000 === 0) largest = Math.max(largest, JSON.stringify(run.tracker).length);
    }
    // What was typed is kept for the transcript (20,000 short lines fit the bound), never more than the bound.
    expect(largest).toBeLessThan(BODY_CONTENT_LIMIT * 1.1 + 4096);
    const end = run.tracker.sent('.');
    expect(end[0]).toMatchObject({ kind: 'body', lines: 20_000 });
    const body = end[0] as BodyEvent;
    expect(body.truncated).toBe(true);
    expect(body.content!.startsWith(`line 0 ${'y'.repeat(60)}\r\nline 1 `)).toBe(true);
    expect(body.content!.length).toBeLessThanOrEqual(BODY_CONTENT_LIMIT);
  });
});
