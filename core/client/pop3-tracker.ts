/**
 * The POP3 client tracker (docs/ARCHITECTURE.md, "Trackers"): it watches what a raw client sends
 * and what any POP3 server answers, and keeps the server's state with the
 * engine's own state names and transition table (core/protocols/pop3.ts).
 *
 * Replies are paired with commands through a FIFO, so a pipelined batch
 * (RFC 2449 §6.6) is followed like one command at a time. Multi-line bodies
 * (RFC 1939 §3) are counted as they stream and never kept: a 5 MB RETR costs
 * a few numbers. Received lines are latin1 text, one character per octet, as
 * the raw-client connection hands them over.
 */
import { pop3CapaAnnotations, pop3ReplyAnnotations } from '../annotations/annotate.js';
import { ListingTally, pop3ListingContext, pop3ReplyContext } from '../annotations/reply-context.js';
import { transitionsLast, type WireEvent } from '../events.js';
import { EngineMisuse } from '../errors.js';
import { transitionCause } from '../annotations/messages.js';
import { POP3, POP3_TRANSITIONS, pop3MultiLine, type Pop3State, type Pop3TransitionCause } from '../protocols/pop3.js';
import { commandSpec, nextState, successTransition } from '../protocols/protocol-data.js';
import { BodyText } from '../framing/body-text.js';
import { clientLineEvent } from '../masking.js';
import { challengeAnnotation, SaslWatch } from './sasl-watch.js';
import type { ClientInputMode, ClientTracker } from './tracker.js';

/** CAPA tags kept until the list ends, to annotate them; a longer list is cut. */
const MAX_CAPA_TAGS = 64;
/** The longest text kept per pending command, tag or user name. */
const MAX_KEPT = 200;
/** Message numbers remembered as marked deleted; past this, later ones go unexplained. */
const MAX_MARKED = 10_000;

/** One command whose reply has not (fully) arrived. */
interface SentCommand {
  readonly verb: string;
  /** The line as shown in events (masked), cut to a bounded length. */
  readonly shown: string;
  readonly hasArguments: boolean;
  /** +OK to this command starts a multi-line body. */
  readonly multiLine: boolean;
  /** USER and APOP: the mailbox name. */
  readonly name?: string;
  /** AUTH with a mechanism: the exchange in progress. */
  readonly sasl?: SaslWatch;
}

/** A multi-line body being received: counted, not stored. */
interface BodyCount {
  readonly command: SentCommand;
  lines: number;
  /** Octets as received, CRLF included, before unstuffing. */
  octets: number;
  /** Octets after removing byte-stuffing, CRLF included: what RETR's "+OK n octets" counts. */
  unstuffedOctets: number;
  /** "+OK n octets" on a RETR reply (RFC 1939 §5 example). */
  readonly announced?: number;
  /** CAPA only: the tags, for their annotations. */
  readonly capaTags?: string[];
  /** LIST or UIDL without an argument: how many lines and, for LIST, their total size, for one note on the listing. */
  readonly tally?: ListingTally;
  /** The body's lines, unstuffed, bounded: a transcript shows them. */
  readonly text: BodyText;
}

export class Pop3Tracker implements ClientTracker {
  readonly protocol = 'pop3';
  private current: Pop3State = 'AUTHORIZATION';
  private opened = false;
  private greeted = false;
  private isClosed = false;
  private queue: SentCommand[] = [];
  private body: BodyCount | undefined;
  /** The name sent with USER and accepted, for PASS's transition text. */
  private user: string | undefined;
  /** STLS was accepted; the adapter is doing the handshake. */
  private tlsPending = false;
  private timestamp: string | undefined;
  /** The tags of the last CAPA answer, forgotten after STLS (RFC 2595 §4); undefined until CAPA is answered. */
  private capa: string[] | undefined;
  /**
   * Message numbers whose DELE the server accepted in this session, until RSET
   * or the end of TRANSACTION: a later -ERR naming one is explained by it
   * (RFC 1939 §5). Bounded by what the client sent.
   */
  private markedDeleted = new Set<number>();
  private out: WireEvent[] = [];

  get state(): Pop3State {
    return this.current;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The greeting's APOP timestamp `<…@…>` (RFC 1939 §7), for an APOP helper; undefined if it had none. */
  /** The server's CAPA tags ("SASL PLAIN LOGIN", "PIPELINING", …) once CAPA was answered (RFC 2449 §5). */
  get capabilities(): readonly string[] | undefined {
    return this.capa;
  }

  get apopTimestamp(): string | undefined {
    return this.timestamp;
  }

  get inputMode(): ClientInputMode {
    return this.saslWaiting ? 'sasl' : 'command';
  }

  get pending(): readonly string[] {
    return [...(this.body ? [this.body.command.shown] : []), ...this.queue.map((command) => command.shown)];
  }

  /** The server owes a reply; not while it waits for the client's answer to a SASL challenge. */
  get awaitingReply(): boolean {
    if (this.isClosed) return false;
    if ((this.opened && !this.greeted) || this.body) return true;
    return this.queue.some((command) => !command.sasl?.unansweredChallenge);
  }

  connected(): WireEvent[] {
    if (this.opened) throw new EngineMisuse('connected() called twice');
    this.opened = true;
    return [];
  }

  sent(line: string): WireEvent[] {
    const sasl = this.openExchange();
    if (sasl) {
      sasl.respond(line);
      // The same mask as the engine (core/pop3/session.ts): the length, at most 8 stars.
      return [clientLineEvent('pop3', line, 'sasl')];
    }
    const shown = clientLineEvent('pop3', line, 'command');
    this.emit(shown);
    const space = line.indexOf(' ');
    const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const args = space === -1 ? '' : line.slice(space + 1);
    const command = commandSpec(POP3, verb);
    if (command) this.emit({ kind: 'annotation', about: 'command', key: `pop3.command.${verb}`, rfc: command.rfc });
    if (!this.isClosed) this.queue.push(describeCommand(verb, args, shown.text));
    return this.take();
  }

  received(line: string): WireEvent[] {
    if (this.body) {
      this.bodyLine(this.body, line);
      return this.take();
    }
    this.emit({ kind: 'line', from: 'server', text: line });
    if (!this.greeted) this.greeting(line);
    else this.reply(line);
    return this.take();
  }

  connectionLost(detail: string): WireEvent[] {
    if (!this.isClosed && this.current !== 'CLOSED') {
      this.transition('dropped', detail);
      this.close();
    }
    return this.take();
  }

  tlsEstablished(info: { version: string; cipher: string }): WireEvent[] {
    const rfc = this.tlsPending ? 'RFC 2595 §4' : 'RFC 8314 §3';
    this.emit({ kind: 'tls', version: info.version, cipher: info.cipher });
    // After STLS, "STLS worked"; on pop3s:// the handshake came first and there was no STLS.
    this.emit({ kind: 'annotation', about: 'state', key: this.tlsPending ? 'pop3.tls.established' : 'pop3.tls.implicit', rfc });
    this.tlsPending = false;
    this.capa = undefined;
    return this.take();
  }

  private greeting(line: string): void {
    const status = statusOf(line);
    if (status !== 'ok' && status !== 'err') {
      this.emit({ kind: 'error', code: 'BAD_REPLY', message: `expected the "+OK" greeting (RFC 1939 §4), got "${line.slice(0, 60)}"` });
      return;
    }
    this.greeted = true;
    this.out.push(...pop3ReplyAnnotations(line));
    if (status === 'err') {
      // A server refusing service (busy, connection cap) says -ERR and closes.
      this.transition('dropped', 'the server refused the session in its greeting; no POP3 session was started');
      this.close();
      return;
    }
    const stamp = /<[^<>\s]*@[^<>\s]*>/.exec(line)?.[0];
    if (stamp !== undefined && stamp.length <= MAX_KEPT) {
      this.timestamp = stamp;
      this.emit({ kind: 'annotation', about: 'reply', key: 'pop3.greeting.apop-timestamp', rfc: 'RFC 1939 §7', detail: stamp });
    }
  }

  private reply(line: string): void {
    const status = statusOf(line);
    if (status === undefined) {
      this.emit({ kind: 'error', code: 'BAD_REPLY', message: `not a POP3 reply (expected "+OK", "-ERR" or "+ "): "${line.slice(0, 60)}"` });
      return;
    }
    this.out.push(...pop3ReplyAnnotations(line));
    const command = this.queue[0];
    if (status === 'continue') {
      if (!command?.sasl) {
        this.emit({ kind: 'error', code: 'BAD_REPLY', message: 'a "+ " continuation without an AUTH exchange in progress (RFC 5034 §4)' });
        return;
      }
      command.sasl.challenge();
      this.emit(challengeAnnotation('pop3.sasl.challenge', 'RFC 5034 §4', line.slice(2)));
      return;
    }
    if (!command || this.isClosed) {
      this.emit({ kind: 'annotation', about: 'warning', key: 'pop3.warning.unexpected-reply', rfc: 'RFC 1939 §3', detail: 'no command was waiting for this reply' });
      return;
    }
    this.queue.shift();
    const ok = status === 'ok';
    this.out.push(...pop3ReplyContext(command.shown, line, { markedDeleted: (number) => this.markedDeleted.has(number) }));
    this.rememberDeletion(command, ok);
    if (ok && command.multiLine) this.body = startBody(command, line);
    this.settle(command, ok);
  }

  /**
   * What a complete reply to `command` changes. The move a success makes is
   * the protocol data's (`onSuccess`, core/protocols/pop3.ts), as in the
   * engine; what is left here is what no table says: the name USER gave,
   * STLS (the move waits for TLS), bare AUTH (a list, no login) and a QUIT
   * whose UPDATE failed.
   */
  private settle(command: SentCommand, ok: boolean): void {
    const user = command.verb === 'PASS' ? this.user : command.verb === 'APOP' ? command.name : command.sasl?.user;
    if (command.verb === 'USER' || command.verb === 'PASS' || command.verb === 'APOP') this.user = ok && command.verb === 'USER' ? command.name : undefined;
    if (command.verb === 'STLS') {
      if (ok) {
        this.tlsPending = true;
        this.user = undefined;
      }
      return;
    }
    if (command.verb === 'AUTH' && !command.sasl) return;
    // RFC 1939 §6: "-ERR some deleted messages not removed" still ends the session after UPDATE.
    const quitUpdate = command.verb === 'QUIT' && this.current === 'TRANSACTION' && !command.hasArguments;
    const spec = commandSpec(POP3, command.verb);
    const cause = spec && (ok || quitUpdate) ? successTransition(POP3, spec, this.current) : undefined;
    if (!cause) return;
    const method = command.sasl ? `AUTH ${command.sasl.mechanism}` : command.verb;
    // The engine's own wording (Pop3Session.login), so both sides read alike.
    this.transition(cause, cause === 'authenticated' && user !== undefined ? `${method} accepted for ${user}; the maildrop is now locked` : undefined);
    // The server applies the deletions and closes (RFC 1939 §6).
    if (this.current === 'UPDATE') this.transition('update-done');
    if (this.current === 'CLOSED') this.close();
  }

  /** DELE accepted marks its message; RSET accepted unmarks all (RFC 1939 §5). */
  private rememberDeletion(command: SentCommand, ok: boolean): void {
    if (!ok) return;
    const number = /^DELE +(\d{1,9})$/i.exec(command.shown.trim())?.[1];
    if (number !== undefined && this.markedDeleted.size < MAX_MARKED) this.markedDeleted.add(Number(number));
    if (command.verb === 'RSET') this.markedDeleted.clear();
  }

  private bodyLine(body: BodyCount, line: string): void {
    if (line !== '.') {
      body.tally?.add(line);
      body.lines++;
      body.octets += line.length + 2;
      body.unstuffedOctets += (line.startsWith('.') ? line.length - 1 : line.length) + 2;
      body.text.add(line.startsWith('.') ? line.slice(1) : line);
      if (body.capaTags && body.capaTags.length < MAX_CAPA_TAGS) body.capaTags.push(line.slice(0, MAX_KEPT));
      return;
    }
    this.body = undefined;
    this.emit({ kind: 'body', from: 'server', lines: body.lines, octets: body.octets, ...body.text.result(), ending: 'dot' });
    if (body.tally) {
      const note = pop3ListingContext(body.command.verb, body.tally.count, body.command.verb === 'LIST' ? body.tally.octets : undefined);
      if (note) this.emit(note);
    }
    if (body.capaTags) {
      this.capa = body.capaTags;
      this.out.push(...pop3CapaAnnotations(body.capaTags));
    }
    if (body.announced !== undefined && body.announced !== body.unstuffedOctets) {
      this.emit({
        kind: 'annotation',
        about: 'reply',
        key: 'pop3.retr.size-mismatch',
        rfc: 'RFC 1939 §5',
        detail: `the +OK line announced ${body.announced} octets, but the message had ${body.unstuffedOctets} (CRLF line ends, byte-stuffing removed)`,
      });
    } else if (body.announced !== undefined) {
      // The check that passed, for the --show-bytes view: normally invisible, shown on request.
      this.emit({
        kind: 'annotation',
        about: 'reply',
        key: 'pop3.retr.size-check',
        rfc: 'RFC 1939 §5',
        detail: `announced ${body.announced} octets, received ${body.unstuffedOctets} (CRLF line ends, byte-stuffing removed, ${body.octets} octets on the wire): they match`,
      });
    }
  }

  /** True when the client's next line is a SASL response, to be masked. */
  private get saslWaiting(): boolean {
    return this.openExchange() !== undefined;
  }

  /** The AUTH exchange the next client line answers, if any. */
  private openExchange(): SaslWatch | undefined {
    const last = this.queue[this.queue.length - 1];
    if (last?.sasl?.wantsResponse) return last.sasl;
    // A server challenging after a line it took as a command: its next line is a response all the same.
    const head = this.queue[0];
    return head?.sasl?.unansweredChallenge ? head.sasl : undefined;
  }

  private transition(cause: Pop3TransitionCause, detail?: string): void {
    // The engine's own table and wording (core/protocols/pop3.ts), so both sides move and read alike.
    const from = this.current;
    this.current = nextState(POP3, cause, from);
    if (this.current !== 'TRANSACTION') this.markedDeleted.clear();
    this.emit({ kind: 'transition', protocol: 'pop3', from, to: this.current, cause: detail ?? transitionCause('pop3', cause), rfc: POP3_TRANSITIONS[cause].rfc });
  }

  private close(): void {
    this.isClosed = true;
    this.queue = [];
    this.body = undefined;
    this.user = undefined;
  }

  private emit(event: WireEvent): void {
    this.out.push(event);
  }

  private take(): WireEvent[] {
    const events = transitionsLast(this.out);
    this.out = [];
    return events;
  }
}

/** "+OK …", "-ERR …", or a SASL continuation "+ …" (RFC 5034 §4); undefined for anything else. */
function statusOf(line: string): 'ok' | 'err' | 'continue' | undefined {
  if (line === '+OK' || line.startsWith('+OK ')) return 'ok';
  if (line === '-ERR' || line.startsWith('-ERR ')) return 'err';
  if (line === '+' || line.startsWith('+ ')) return 'continue';
  return undefined;
}

function describeCommand(verb: string, args: string, shown: string): SentCommand {
  const hasArguments = args.trim() !== '';
  // Which replies are multi-line is the protocol data's (bare AUTH lists the mechanisms, as RFC 1734 clients ask).
  const spec = commandSpec(POP3, verb);
  const base = { verb, shown: shown.length > MAX_KEPT ? `${shown.slice(0, MAX_KEPT)}…` : shown, hasArguments, multiLine: spec ? pop3MultiLine(spec, hasArguments) : false };
  switch (verb) {
    case 'USER':
      return { ...base, name: args.trim().slice(0, MAX_KEPT) };
    case 'APOP':
      return { ...base, name: (args.split(' ')[0] ?? '').slice(0, MAX_KEPT) };
    case 'AUTH': {
      if (!hasArguments) return base;
      const [mechanism = '', initial] = args.split(' ');
      return { ...base, sasl: new SaslWatch(mechanism.toUpperCase(), initial) };
    }
    default:
      return base;
  }
}

function startBody(command: SentCommand, statusLine: string): BodyCount {
  const body: BodyCount = { command, lines: 0, octets: 0, unstuffedOctets: 0, text: new BodyText() };
  if (command.verb === 'CAPA') return { ...body, capaTags: [] };
  if ((command.verb === 'LIST' || command.verb === 'UIDL') && !command.hasArguments) return { ...body, tally: new ListingTally() };
  const announced = command.verb === 'RETR' ? /^\+OK (\d{1,15}) octets\b/i.exec(statusLine)?.[1] : undefined;
  return announced === undefined ? body : { ...body, announced: Number(announced) };
}

