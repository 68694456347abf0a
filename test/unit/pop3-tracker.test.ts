/**
 * The POP3 client tracker against maillab's own POP3 engine, in lockstep: the
 * engine answers what the client sends, its reply bytes are split into lines
 * and fed to the tracker, and after every step the tracker must name the same
 * state and have emitted the same transitions as the engine.
 */
import { describe, expect, it } from 'vitest';
import { pop3CapaAnnotations } from '../../core/annotations/annotate.js';
import { Pop3Tracker } from '../../core/client/pop3-tracker.js';
import { BODY_CONTENT_LIMIT, type WireEvent } from '../../core/events.js';
import { cramMd5Digest } from '../../core/sasl/mechanisms.js';
import type { Pop3SessionOptions } from '../../core/pop3/options.js';
import type { MemoryStore } from '../../core/store/memory-store.js';
import { makeHarness, messageOfSize, RFC_TIMESTAMP, rfcMaildrop, type Harness } from '../helpers/pop3-harness.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const TLS = { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' };

/** The lines of a reply as a server writes them, without CRLF (latin1, as the raw client reads them). */
function wireLines(bytes: Buffer): string[] {
  const text = bytes.toString('latin1');
  if (text === '') return [];
  expect(text.endsWith('\r\n')).toBe(true);
  return text.slice(0, -2).split('\r\n');
}

const ofKind = <K extends WireEvent['kind']>(events: readonly WireEvent[], kind: K) =>
  events.filter((event): event is Extract<WireEvent, { kind: K }> => event.kind === kind);
const annotationKeys = (events: readonly WireEvent[]) => ofKind(events, 'annotation').map((event) => event.key);

/** An engine and a tracker driven in lockstep. */
class Lockstep {
  readonly tracker = new Pop3Tracker();
  readonly h: Harness;
  readonly trackerEvents: WireEvent[] = [];
  readonly engineEvents: WireEvent[] = [];

  constructor(options: Partial<Pop3SessionOptions> = {}, setup?: (store: MemoryStore) => void) {
    this.h = makeHarness(options, setup);
    this.trackerEvents.push(...this.tracker.connected());
    expect(this.tracker.awaitingReply).toBe(true);
    this.engineEvents.push(...this.h.greeting.events);
    this.receive(this.h.greeting.bytes);
    this.check();
  }

  /** One write of client lines: one line is a plain step, several a pipelined batch. Returns the tracker's events. */
  async send(...lines: string[]): Promise<WireEvent[]> {
    const start = this.trackerEvents.length;
    for (const line of lines) this.trackerEvents.push(...this.tracker.sent(line));
    const replies: Buffer[] = [];
    let startTls = false;
    for (const line of lines) {
      if (this.h.session.state === 'CLOSED') break;
      const output = await this.h.output(line);
      this.engineEvents.push(...output.events);
      replies.push(output.bytes);
      startTls ||= output.startTls;
    }
    this.receive(Buffer.concat(replies));
    if (startTls) {
      this.engineEvents.push(...this.h.session.tlsEstablished(TLS).events);
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
    // Body summaries: the same number of lines as the engine sent (octets differ: the tracker counts stuffed octets).
    expect(ofKind(this.trackerEvents, 'body').map((event) => event.lines)).toEqual(ofKind(this.engineEvents, 'body').map((event) => event.lines));
  }
}

async function loggedIn(setup?: (store: MemoryStore) => void): Promise<Lockstep> {
  const run = new Lockstep({}, setup);
  await run.send('USER alice');
  await run.send('PASS wonderland');
  expect(run.tracker.state).toBe('TRANSACTION');
  return run;
}

describe('the RFC 1939 §10 example session', () => {
  it('follows every step with the engine, APOP included', async () => {
    const run = new Lockstep({ serverName: 'dewey' }, (store) => {
      rfcMaildrop(store);
      store.add('mrose', 'Subject: x\r\n\r\n.dotted\r\n', { uid: 'third' });
    });
    expect(run.tracker.apopTimestamp).toBe(RFC_TIMESTAMP);
    expect(run.trackerEvents).toContainEqual({ kind: 'annotation', about: 'reply', key: 'pop3.greeting.apop-timestamp', rfc: 'RFC 1939 §7', detail: RFC_TIMESTAMP });
    const apop = await run.send('APOP mrose c4c9334bac560ecc979e58001b3e22fb');
    // The client line first, then the reply line, the transition last.
    expect(apop.map((event) => event.kind).filter((kind) => kind !== 'annotation')).toEqual(['line', 'line', 'transition']);
    expect(apop[0]).toMatchObject({ kind: 'line', from: 'client' });
    expect(apop.at(-1)).toEqual({ kind: 'transition', protocol: 'pop3', from: 'AUTHORIZATION', to: 'TRANSACTION', cause: 'APOP accepted for mrose; the maildrop is now locked', rfc: 'RFC 1939 §4' });
    await run.send('STAT');
    const list = await run.send('LIST');
    expect(ofKind(list, 'body')).toEqual([expect.objectContaining({ kind: 'body', from: 'server', lines: 3, octets: '1 120\r\n2 200\r\n3 23\r\n'.length })]);
    const retr = await run.send('RETR 1');
    expect(ofKind(retr, 'body')).toEqual([expect.objectContaining({ kind: 'body', from: 'server', lines: 4, octets: 120 })]);
    expect(annotationKeys(retr)).not.toContain('pop3.retr.size-mismatch');
    await run.send('DELE 1');
    await run.send('RETR 2');
    await run.send('DELE 2');
    // A byte-stuffed line: 23 octets stored, 24 on the wire; the announced size matches the unstuffed one.
    const third = await run.send('RETR 3');
    expect(ofKind(third, 'body')).toEqual([expect.objectContaining({ kind: 'body', from: 'server', lines: 3, octets: 24 })]);
    expect(annotationKeys(third)).not.toContain('pop3.retr.size-mismatch');
    const quit = await run.send('QUIT');
    expect(ofKind(quit, 'transition').map((event) => [event.from, event.to])).toEqual([
      ['TRANSACTION', 'UPDATE'],
      ['UPDATE', 'CLOSED'],
    ]);
    expect(quit.at(-1)?.kind).toBe('transition');
    expect(run.tracker.closed).toBe(true);
    expect(run.tracker.pending).toEqual([]);
    expect(run.tracker.awaitingReply).toBe(false);
    expect(annotationKeys(run.trackerEvents)).toEqual(expect.arrayContaining(['pop3.command.APOP', 'pop3.command.STAT', 'pop3.command.LIST', 'pop3.command.RETR', 'pop3.command.DELE', 'pop3.command.QUIT', 'pop3.reply.ok']));
  });
});

describe('logging in', () => {
  it('USER/PASS: a wrong password changes nothing, the right one opens TRANSACTION with the engine\'s wording', async () => {
    const run = new Lockstep();
    await run.send('USER alice');
    const wrong = await run.send('PASS guess');
    expect(ofKind(wrong, 'transition')).toEqual([]);
    expect(annotationKeys(wrong)).toContain('pop3.code.AUTH');
    expect(run.tracker.state).toBe('AUTHORIZATION');
    await run.send('USER alice');
    const right = await run.send('PASS wonderland');
    expect(ofKind(right, 'line')[0]).toEqual({ kind: 'line', from: 'client', text: 'PASS ********', masked: true });
    expect(ofKind(right, 'transition')[0]?.cause).toBe('PASS accepted for alice; the maildrop is now locked');
  });

  it('AUTH PLAIN without an initial response: "+ ", then a masked response', async () => {
    const run = new Lockstep();
    const challenge = await run.send('AUTH PLAIN');
    expect(challenge).toContainEqual({ kind: 'annotation', about: 'reply', key: 'pop3.sasl.challenge', rfc: 'RFC 5034 §4' });
    expect(annotationKeys(challenge)).toContain('pop3.reply.continue');
    expect(run.tracker.inputMode).toBe('sasl');
    // The server waits for the client now: nothing is owed, though AUTH is still pending.
    expect(run.tracker.awaitingReply).toBe(false);
    expect(run.tracker.pending).toEqual(['AUTH PLAIN']);
    const response = await run.send(b64('\0alice\0wonderland'));
    expect(response[0]).toEqual({ kind: 'line', from: 'client', text: '********', masked: true });
    expect(run.tracker.inputMode).toBe('command');
    expect(ofKind(response, 'transition')[0]?.cause).toBe('AUTH PLAIN accepted for alice; the maildrop is now locked');
  });

  it('AUTH PLAIN with an initial response', async () => {
    const run = new Lockstep();
    const events = await run.send(`AUTH PLAIN ${b64('\0bob\0builder')}`);
    expect(events[0]).toEqual({ kind: 'line', from: 'client', text: 'AUTH PLAIN ********', masked: true });
    expect(run.tracker.state).toBe('TRANSACTION');
  });

  it('AUTH CRAM-MD5: the challenge is decoded, the response names the user', async () => {
    const run = new Lockstep();
    const challenge = await run.send('AUTH CRAM-MD5');
    expect(challenge).toContainEqual({ kind: 'annotation', about: 'reply', key: 'pop3.sasl.challenge', rfc: 'RFC 5034 §4', detail: '<1896.697170952@postoffice.example.net>' });
    await run.send(b64(`alice ${cramMd5Digest('wonderland', '<1896.697170952@postoffice.example.net>')}`));
    expect(ofKind(run.trackerEvents, 'transition')[0]?.cause).toBe('AUTH CRAM-MD5 accepted for alice; the maildrop is now locked');
  });

  it('AUTH LOGIN sent as one batch: the early user name and password are masked and paired right', async () => {
    const run = new Lockstep();
    const events = await run.send('AUTH LOGIN', b64('alice'), b64('wonderland'));
    expect(ofKind(events, 'line').filter((event) => event.from === 'client').map((event) => event.text)).toEqual(['AUTH LOGIN', '********', '********']);
    expect(ofKind(events, 'annotation').filter((event) => event.key === 'pop3.sasl.challenge').map((event) => event.detail)).toEqual(['Username:', 'Password:']);
    expect(run.tracker.state).toBe('TRANSACTION');
  });

  it('"*" cancels AUTH; the session goes on', async () => {
    const run = new Lockstep();
    await run.send('AUTH LOGIN');
    await run.send('*');
    expect(run.tracker.inputMode).toBe('command');
    expect(run.tracker.pending).toEqual([]);
    await run.send('USER bob');
    await run.send('PASS builder');
    expect(run.tracker.state).toBe('TRANSACTION');
  });

  it('bare AUTH lists the mechanisms as a multi-line reply', async () => {
    const run = new Lockstep();
    const events = await run.send('AUTH');
    expect(ofKind(events, 'body')).toEqual([expect.objectContaining({ kind: 'body', from: 'server', lines: 3, octets: 'PLAIN\r\nLOGIN\r\nCRAM-MD5\r\n'.length })]);
    await run.send('USER alice');
  });

  it('STLS: +OK, then TLS, then the session goes on', async () => {
    const run = new Lockstep();
    const events = await run.send('STLS');
    expect(events).toContainEqual({ kind: 'tls', ...TLS });
    expect(events).toContainEqual({ kind: 'annotation', about: 'state', key: 'pop3.tls.established', rfc: 'RFC 2595 §4' });
    await run.send('USER alice');
    await run.send('PASS wonderland');
  });
});

describe('CAPA', () => {
  it('annotates every tag, before and after login', async () => {
    const run = new Lockstep();
    const before = await run.send('CAPA');
    const output = await run.h.output('CAPA');
    const tags = wireLines(output.bytes).slice(1, -1);
    expect(tags).toContain('USER');
    expect(ofKind(before, 'annotation').filter((event) => event.about === 'keyword')).toEqual(pop3CapaAnnotations(tags));
    expect(ofKind(before, 'body')[0]?.lines).toBe(tags.length);
    await run.send('USER alice');
    await run.send('PASS wonderland');
    const after = await run.send('CAPA');
    expect(annotationKeys(after)).not.toContain('pop3.capa.USER');
    expect(annotationKeys(after)).toContain('pop3.capa.PIPELINING');
  });
});

describe('multi-line replies', () => {
  const dotted = 'Subject: dots\r\n\r\n.hidden\r\n..two\r\n.\r\nend\r\n';

  it('LIST, UIDL, RETR and TOP with byte-stuffed lines; LIST n and UIDL n are single lines', async () => {
    const run = await loggedIn((store) => {
      store.add('alice', dotted, { uid: 'dots' });
      store.add('alice', messageOfSize(300, 'plain'), { uid: 'plain' });
    });
    expect(ofKind(await run.send('LIST'), 'body')[0]?.lines).toBe(2);
    expect(ofKind(await run.send('UIDL'), 'body')).toEqual([expect.objectContaining({ kind: 'body', from: 'server', lines: 2, octets: '1 dots\r\n2 plain\r\n'.length })]);
    expect(ofKind(await run.send('LIST 2'), 'body')).toEqual([]);
    expect(ofKind(await run.send('UIDL 1'), 'body')).toEqual([]);
    const retr = await run.send('RETR 1');
    // Five lines, three of them stuffed on the wire: the octets are counted as received.
    expect(ofKind(retr, 'body')).toEqual([expect.objectContaining({ kind: 'body', from: 'server', lines: 6, octets: dotted.length + 3 })]);
    // The content is the message as stored: stuffing removed, the last CRLF not repeated.
    expect(ofKind(retr, 'body')[0]!.content).toBe(dotted.slice(0, -2));
    expect(ofKind(retr, 'body')[0]!.truncated).toBeUndefined();
    expect(annotationKeys(retr)).not.toContain('pop3.retr.size-mismatch');
    const top = await run.send('TOP 1 2');
    expect(ofKind(top, 'body')).toEqual([expect.objectContaining({ kind: 'body', from: 'server', lines: 4, octets: 'Subject: dots\r\n\r\n..hidden\r\n...two\r\n'.length })]);
    expect(ofKind(await run.send('TOP 2 0'), 'body')[0]?.lines).toBe(2);
    await run.send('NOOP');
  });

  it('a body line yields no event of its own, and the status line comes first', async () => {
    const run = await loggedIn((store) => store.add('alice', dotted));
    run.tracker.sent('RETR 1');
    const lines = wireLines((await run.h.output('RETR 1')).bytes);
    expect(run.tracker.received(lines[0]!).map((event) => event.kind)).toEqual(['line', 'annotation']);
    expect(run.tracker.awaitingReply).toBe(true);
    expect(run.tracker.pending).toEqual(['RETR 1']);
    for (const line of lines.slice(1, -1)) expect(run.tracker.received(line)).toEqual([]);
    const end = run.tracker.received('.');
    expect(end.map((event) => event.kind)).toEqual(['body', 'annotation']);
    // The size check that passed: the engine's count and the tracker's agree.
    expect(end[1]).toMatchObject({ key: 'pop3.retr.size-check', detail: expect.stringMatching(/: they match$/) });
    expect(run.tracker.awaitingReply).toBe(false);
  });

  it('notes a RETR whose body does not match its announced size (a broken server)', () => {
    const tracker = new Pop3Tracker();
    tracker.connected();
    tracker.received('+OK ready');
    tracker.sent('USER a');
    tracker.received('+OK');
    tracker.sent('PASS b');
    tracker.received('+OK logged in');
    tracker.sent('RETR 1');
    for (const line of ['+OK 100 octets', 'Subject: short', '', '..x']) tracker.received(line);
    const end = tracker.received('.');
    expect(end).toContainEqual(expect.objectContaining({ kind: 'body', from: 'server', lines: 3, octets: 16 + 2 + 5 }));
    expect(end).toContainEqual({
      kind: 'annotation',
      about: 'reply',
      key: 'pop3.retr.size-mismatch',
      rfc: 'RFC 1939 §5',
      detail: 'the +OK line announced 100 octets, but the message had 22 (CRLF line ends, byte-stuffing removed)',
    });
  });
});

describe('QUIT', () => {
  it('in AUTHORIZATION goes straight to CLOSED', async () => {
    const run = new Lockstep();
    const events = await run.send('QUIT');
    expect(ofKind(events, 'transition').map((event) => event.cause)).toEqual([expect.stringContaining('QUIT before logging in')]);
    expect(run.tracker.closed).toBe(true);
  });

  it('in TRANSACTION goes through UPDATE', async () => {
    const run = await loggedIn((store) => store.add('alice', messageOfSize(100)));
    await run.send('DELE 1');
    await run.send('QUIT');
    expect(ofKind(run.trackerEvents, 'transition').map((event) => event.to)).toEqual(['TRANSACTION', 'UPDATE', 'CLOSED']);
  });

  it('with an argument is refused and changes nothing', async () => {
    const run = await loggedIn();
    await run.send('QUIT now');
    expect(run.tracker.state).toBe('TRANSACTION');
    expect(run.tracker.closed).toBe(false);
  });
});

describe('pipelining (RFC 2449 §6.6)', () => {
  it('pairs a whole batch sent before any reply, logging in included', async () => {
    const run = new Lockstep({}, (store) => {
      store.add('alice', 'Subject: one\r\n\r\n.dot\r\n', { uid: 'u1' });
      store.add('alice', messageOfSize(500), { uid: 'u2' });
    });
    const batch = ['CAPA', 'USER alice', 'PASS wonderland', 'STAT', 'LIST', 'UIDL', 'RETR 1', 'TOP 2 1', 'DELE 1', 'LIST 1', 'LIST 2', 'NOOP', 'QUIT'];
    for (const line of batch) run.trackerEvents.push(...run.tracker.sent(line));
    expect(run.tracker.pending).toEqual(batch.map((line) => (line.startsWith('PASS') ? 'PASS ********' : line)));
    expect(run.tracker.awaitingReply).toBe(true);
    const replies: Buffer[] = [];
    for (const line of batch) {
      const output = await run.h.output(line);
      run.engineEvents.push(...output.events);
      replies.push(output.bytes);
    }
    const events = run.receive(Buffer.concat(replies));
    run.check();
    expect(ofKind(events, 'body').map((event) => event.lines)).toEqual([expect.any(Number), 2, 2, 3, expect.any(Number)]);
    expect(ofKind(events, 'error')).toEqual([]);
    expect(annotationKeys(events)).not.toContain('pop3.warning.unexpected-reply');
    expect(run.tracker.closed).toBe(true);
    expect(run.tracker.pending).toEqual([]);
  });

  it('the same batch through the lockstep driver, after login', async () => {
    const run = await loggedIn((store) => store.add('alice', messageOfSize(2000)));
    await run.send('STAT', 'LIST', 'RETR 1', 'UIDL', 'DELE 1', 'RSET', 'QUIT');
    expect(run.tracker.closed).toBe(true);
  });
});

describe('robustness', () => {
  it('reports garbage lines, answers without a command and stray continuations, and goes on', async () => {
    const run = await loggedIn((store) => store.add('alice', messageOfSize(100)));
    const garbage = run.tracker.received('hello, I am not POP3');
    expect(garbage[0]).toEqual({ kind: 'line', from: 'server', text: 'hello, I am not POP3' });
    expect(garbage[1]).toMatchObject({ kind: 'error', code: 'BAD_REPLY' });
    const stray = run.tracker.received('+OK surprise');
    expect(annotationKeys(stray)).toContain('pop3.warning.unexpected-reply');
    expect(ofKind(run.tracker.received('+ abc'), 'error')).toHaveLength(1);
    await run.send('RETR 1');
    await run.send('QUIT');
    expect(run.tracker.closed).toBe(true);
    // After the end, a line is still shown and flagged, never a crash.
    expect(annotationKeys(run.tracker.received('+OK late'))).toContain('pop3.warning.unexpected-reply');
  });

  it('waits past a garbage line for the greeting; a -ERR greeting closes', () => {
    const tracker = new Pop3Tracker();
    tracker.connected();
    expect(() => tracker.connected()).toThrow();
    expect(ofKind(tracker.received('* OK IMAP4rev1'), 'error')[0]?.code).toBe('BAD_REPLY');
    expect(tracker.awaitingReply).toBe(true);
    tracker.received('+OK hello, no timestamp here');
    expect(tracker.apopTimestamp).toBeUndefined();
    expect(tracker.awaitingReply).toBe(false);

    const refused = new Pop3Tracker();
    refused.connected();
    const events = refused.received('-ERR [SYS/TEMP] too many connections');
    expect(ofKind(events, 'transition')).toEqual([expect.objectContaining({ from: 'AUTHORIZATION', to: 'CLOSED', rfc: 'RFC 1939 §6' })]);
    expect(annotationKeys(events)).toContain('pop3.code.SYS/TEMP');
    expect(refused.closed).toBe(true);
  });
});

describe('secrets', () => {
  it('never appear in any event or in pending', async () => {
    const secrets = ['wonderland', 'builder', b64('\0alice\0wonderland'), b64('wonderland'), b64('\0bob\0builder')];
    const everything: WireEvent[] = [];
    const pendingSeen: string[] = [];

    const userPass = new Lockstep();
    userPass.tracker.sent('USER alice');
    userPass.tracker.sent(' pass  wonderland');
    pendingSeen.push(...userPass.tracker.pending);
    const a = new Lockstep();
    await a.send('USER alice');
    await a.send('PASS wonderland');
    const b = new Lockstep();
    await b.send('AUTH PLAIN');
    pendingSeen.push(...b.tracker.pending);
    await b.send(b64('\0alice\0wonderland'));
    const c = new Lockstep();
    await c.send(`AUTH PLAIN ${b64('\0bob\0builder')}`);
    const d = new Lockstep();
    await d.send('AUTH LOGIN', b64('alice'), b64('wonderland'));
    for (const run of [userPass, a, b, c, d]) everything.push(...run.trackerEvents);

    const text = JSON.stringify(everything) + JSON.stringify(pendingSeen);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(pendingSeen).toContain(' pass ********');
  });
});

describe('memory', () => {
  it('streams a 5 MB RETR body without keeping it', async () => {
    const size = 5 * 1024 * 1024;
    const run = await loggedIn((store) => store.add('alice', messageOfSize(size, 'big')));
    run.tracker.sent('RETR 1');
    const output = await run.h.output('RETR 1');
    const lines = wireLines(output.bytes);
    expect(lines.length).toBeGreaterThan(70_000);
    const events: WireEvent[] = [];
    let largest = 0;
    lines.forEach((line, index) => {
      events.push(...run.tracker.received(line));
      // Everything the tracker holds, private fields included, serialised: it must not grow with the body.
      if (index % 5000 === 0) largest = Math.max(largest, JSON.stringify(run.tracker).length);
    });
    // The body's text is kept for the transcript, but only up to its bound, whatever the size.
    expect(largest).toBeLessThan(BODY_CONTENT_LIMIT * 1.1 + 4096);
    expect(ofKind(events, 'body')).toEqual([expect.objectContaining({ kind: 'body', from: 'server', lines: lines.length - 2, octets: size, truncated: true })]);
    expect(ofKind(events, 'body')[0]!.content!.length).toBeLessThanOrEqual(BODY_CONTENT_LIMIT);
    expect(annotationKeys(events)).not.toContain('pop3.retr.size-mismatch');
    expect(run.tracker.awaitingReply).toBe(false);
  });
});
