/**
 * A server's input framing, for POP3 and SMTP alike: socket chunks go in; command lines, DATA
 * messages and BDAT chunks come out one at a time, each read in the mode the
 * engine asks for. The mode can change between two items of one chunk ("DATA"
 * CRLF and the message in one packet, "BDAT 10 LAST" CRLF and its 10 octets,
 * pipelined commands after the end of data), so the framer never guesses: the
 * caller passes the mode to every `next()` call.
 *
 * Its command mode serves POP3 as well (core/engine/pump.ts feeds both engines): a POP3
 * session only ever asks for command lines, limited anew for each one.
 *
 * Hard limits everywhere: a command line never costs more than its limit, a
 * message never more than its size limit, whatever the peer sends.
 *
 * End of data is only CRLF "." CRLF (RFC 5321 §4.1.1.4). Lone CR or LF never
 * end a line here; they are kept as content and reported, because a server that
 * reads "\n.\n" or "\r\n.\r" as the end while the next hop does not can be made
 * to accept a second, smuggled message (the 2023 "SMTP smuggling" attacks).
 */
import { EngineMisuse } from '../errors.js';
import { Accumulator } from './accumulator.js';
import type { InFlightBudget } from './in-flight-budget.js';

/** How the next item is to be read. The engine decides; see the module comment. */
export type InputMode =
  /** A command line. `limit` counts the CRLF (RFC 5321 §4.5.3.1.4: 512; a SASL exchange may allow more). */
  | { kind: 'command'; limit: number }
  /** DATA content up to CRLF "." CRLF (RFC 5321 §4.1.1.4). `lineLimit` counts the CRLF (1000, §4.5.3.1.6). */
  | { kind: 'data'; lineLimit: number; sizeLimit: number }
  /** A BDAT chunk: exactly `size` raw octets (RFC 3030 §2), kept only if `size <= sizeLimit`. */
  | { kind: 'chunk'; size: number; sizeLimit: number };

/** Something the peer did wrong inside DATA content. Each is listed once per message. */
/** `over-budget`: the lab's budget for message bytes in flight was spent (./in-flight-budget.ts); nothing was kept. */
export type DataProblem = 'bare-lf' | 'bare-cr' | 'line-too-long' | 'too-big' | 'nul' | 'over-budget';

export type FramedInput =
  /**
   * A command line without its terminator. `bareLf`: it ended in LF alone.
   * `bareCr`: it contains a CR that is not part of its CRLF.
   */
  | { kind: 'line'; bytes: Buffer; bareLf: boolean; bareCr: boolean }
  /** A command line longer than the limit: its bytes were dropped, up to and including its LF. */
  | { kind: 'overlong'; limit: number }
  /**
   * A DATA message, dot-unstuffed (RFC 5321 §4.5.2), without the final "." CRLF.
   * `message` is undefined when it exceeded the size limit; `octets` is its
   * unstuffed size either way. Lone CR and LF bytes are kept as they came.
   */
  | { kind: 'data'; message: Buffer | undefined; octets: number; problems: DataProblem[] }
  /** A BDAT chunk; `bytes` is undefined when `size` exceeded the size limit. */
  | { kind: 'chunk'; bytes: Buffer | undefined; octets: number; overBudget?: true };

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const NUL = 0x00;
const EMPTY = Buffer.alloc(0);

/** Problems in the order the item lists them, so the order never depends on how the bytes were split. */
const PROBLEM_ORDER: readonly DataProblem[] = ['bare-lf', 'bare-cr', 'line-too-long', 'too-big', 'nul', 'over-budget'];

/**
 * Where the DATA scanner stands. Only "line-start" (after a CRLF, or at the
 * start of data) can begin the terminator; a bare LF leads to "text".
 * "dot" and "dot-cr" hold back a leading "." (and the CR after it) until the
 * next byte shows whether they are the terminator or stuffing.
 */
type DataState = 'line-start' | 'text' | 'cr' | 'dot' | 'dot-cr';

type DataMode = Extract<InputMode, { kind: 'data' }>;
type ChunkMode = Extract<InputMode, { kind: 'chunk' }>;

interface DataReader {
  readonly mode: DataMode;
  state: DataState;
  /** Octets of the current line so far, counting its CR and LF but not a stuffing dot (§4.5.3.1.6). */
  lineLength: number;
  readonly problems: Set<DataProblem>;
  readonly message: Accumulator;
}

interface ChunkReader {
  readonly mode: ChunkMode;
  remaining: number;
  readonly bytes: Accumulator;
}

const LONE_CR = Buffer.of(CR);

/**
 * The SMTP server's input framer. The adapter pushes socket chunks in and calls
 * `next(mode)` until it returns undefined, passing each time the mode the engine
 * is in after the previous item. Pure: no I/O, no timers.
 */
export class InputFramer {
  /** Octets received and not yet consumed by any item. */
  private pending: Buffer = EMPTY;
  /** The front of `pending` already searched for LF without finding one. */
  private searched = 0;
  /** An overlong command line was reported; its remaining octets are dropped up to its LF. */
  private discardingLine = false;
  private data: DataReader | undefined;
  private chunk: ChunkReader | undefined;
  /** Items handed out whose bytes still count against the budget until the engine has handled them. */
  private handedOut: Accumulator[] = [];

  /** @param budget the lab's budget for message bytes in flight, shared by every session; none: unlimited. */
  constructor(private readonly budget?: InFlightBudget) {}

  /** The engine is done with the items handed out so far: their bytes leave the budget. */
  releaseHandedOut(): void {
    for (const accumulator of this.handedOut) accumulator.releaseBudget();
    this.handedOut = [];
  }

  /** The framer is dropped (session end, TLS restart): everything it holds leaves the budget. */
  releaseAll(): void {
    this.releaseHandedOut();
    this.data?.message.releaseBudget();
    this.chunk?.bytes.releaseBudget();
  }

  /**
   * Octets held unprocessed. After `next()` has returned undefined this is below
   * the command limit in command mode and 0 in data and chunk modes, however
   * much the peer sent; only bytes pushed and not yet asked for can make it larger.
   */
  get buffered(): number {
    return this.pending.length;
  }

  /** Feeds octets from the peer. They are copied: the caller may reuse its buffer. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
  }

  /**
   * Reads the next item in `mode`, or returns undefined when more octets are
   * needed. A DATA message or BDAT chunk, once begun, must be finished with the
   * same mode; asking in another mode throws `EngineMisuse`.
   */
  next(mode: InputMode): FramedInput | undefined {
    this.checkMode(mode);
    switch (mode.kind) {
      case 'command':
        return this.nextLine(mode.limit);
      case 'data':
        return this.nextData(mode);
      case 'chunk':
        return this.nextChunk(mode);
    }
  }

  private checkMode(mode: InputMode): void {
    const current = this.data?.mode ?? this.chunk?.mode;
    if (current && !sameMode(current, mode)) {
      throw new EngineMisuse(`next() asked for ${modeName(mode)} while ${modeName(current)} is half-read`);
    }
    if (this.discardingLine && mode.kind !== 'command') {
      throw new EngineMisuse(`next() asked for ${modeName(mode)} while an overlong command line is still arriving`);
    }
    const valid =
      mode.kind === 'command' ? isCount(mode.limit) && mode.limit >= 2
      : mode.kind === 'data' ? isCount(mode.lineLimit) && mode.lineLimit >= 2 && isCount(mode.sizeLimit)
      : isCount(mode.size) && isCount(mode.sizeLimit);
    if (!valid) throw new EngineMisuse(`invalid input mode ${JSON.stringify(mode)}`);
  }

  private consume(count: number): void {
    this.pending = count >= this.pending.length ? EMPTY : this.pending.subarray(count);
    this.searched = 0;
  }

  private nextLine(limit: number): FramedInput | undefined {
    if (this.discardingLine) {
      const lf = this.pending.indexOf(LF);
      if (lf === -1) {
        this.consume(this.pending.length);
        return undefined;
      }
      this.discardingLine = false;
      this.consume(lf + 1);
    }
    const input = this.pending;
    // A line that fits has its LF among the first `limit` octets, so look no further.
    const window = input.subarray(0, limit);
    const lf = window.indexOf(LF, this.searched);
    if (lf === -1) {
      if (window.length < limit) {
        this.searched = window.length;
        return undefined;
      }
      // Report now rather than at the LF, which may never come. Drop the line up
      // to its LF if that has arrived, else all we have and the rest as it comes.
      const end = input.indexOf(LF, limit);
      this.discardingLine = end === -1;
      this.consume(end === -1 ? input.length : end + 1);
      return { kind: 'overlong', limit };
    }
    this.consume(lf + 1);
    const hasCr = lf > 0 && input[lf - 1] === CR;
    const contentEnd = hasCr ? lf - 1 : lf;
    // A line ended by LF alone is measured as if it had a CRLF, as LineSplitter does.
    if (contentEnd + 2 > limit) return { kind: 'overlong', limit };
    const bytes = Buffer.from(input.subarray(0, contentEnd));
    return { kind: 'line', bytes, bareLf: !hasCr, bareCr: bytes.includes(CR) };
  }

  private nextData(mode: DataMode): FramedInput | undefined {
    const reader = (this.data ??= {
      mode,
      state: 'line-start',
      lineLength: 0,
      problems: new Set(),
      message: new Accumulator(mode.sizeLimit, false, this.budget),
    });
    // Scan everything that has arrived: the message goes into the accumulator,
    // not `pending`, so a slow or endless message never piles up unscanned.
    const end = scanData(reader, this.pending);
    if (end === -1) {
      this.consume(this.pending.length);
      return undefined;
    }
    this.consume(end);
    this.data = undefined;
    this.handedOut.push(reader.message);
    if (reader.message.overBudget) reader.problems.add('over-budget');
    return {
      kind: 'data',
      message: reader.message.take(),
      octets: reader.message.octets,
      problems: PROBLEM_ORDER.filter((problem) => reader.problems.has(problem)),
    };
  }

  private nextChunk(mode: ChunkMode): FramedInput | undefined {
    if (!this.chunk) {
      // RFC 3030 §2: "BDAT 0 LAST" is allowed and has no octets to wait for.
      if (mode.size === 0) return { kind: 'chunk', bytes: Buffer.alloc(0), octets: 0 };
      this.chunk = { mode, remaining: mode.size, bytes: new Accumulator(mode.size, mode.size > mode.sizeLimit, this.budget) };
    }
    const reader = this.chunk;
    const count = Math.min(reader.remaining, this.pending.length);
    reader.bytes.append(this.pending, 0, count);
    reader.remaining -= count;
    this.consume(count);
    if (reader.remaining > 0) return undefined;
    this.chunk = undefined;
    this.handedOut.push(reader.bytes);
    return { kind: 'chunk', bytes: reader.bytes.take(), octets: reader.bytes.octets, ...(reader.bytes.overBudget ? { overBudget: true as const } : {}) };
  }
}

/**
 * Scans `input` as DATA content from the reader's state. Returns the index just
 * past the terminating "." CRLF, or -1 if `input` was used up without one.
 * Content octets are copied into the reader's accumulator in runs; a held-back
 * dot is dropped (stuffing) and a held-back CR is added back when it turns out
 * not to be part of the terminator.
 */
function scanData(reader: DataReader, input: Buffer): number {
  const { lineLimit } = reader.mode;
  const { problems, message } = reader;
  let state = reader.state;
  let lineLength = reader.lineLength;
  let runStart = 0;
  let i = 0;
  // Where the next CR, LF and NUL are (input.length when there is none), found with
  // Buffer.indexOf and looked up again only once passed: plain text in the middle of
  // a line is skipped in one step instead of byte by byte.
  let nextCr = -1;
  let nextLf = -1;
  let nextNul = -1;
  while (i < input.length) {
    if (state === 'text') {
      if (nextCr < i) nextCr = indexOrEnd(input, CR, i);
      if (nextLf < i) nextLf = indexOrEnd(input, LF, i);
      if (nextNul < i) nextNul = indexOrEnd(input, NUL, i);
      const stop = Math.min(nextCr, nextLf, nextNul);
      if (stop > i) {
        lineLength += stop - i;
        if (lineLength > lineLimit) problems.add('line-too-long');
        i = stop;
        if (i === input.length) break;
      }
    }
    const byte = input[i]!;
    if (state === 'line-start' && byte === DOT) {
      message.append(input, runStart, i);
      state = 'dot';
      runStart = ++i;
      continue;
    }
    if (state === 'dot') {
      if (byte === CR) {
        state = 'dot-cr';
        runStart = ++i;
        continue;
      }
      // RFC 5321 §4.5.2: a line that starts with "." and has more on it loses the dot.
      state = 'text';
    } else if (state === 'dot-cr') {
      if (byte === LF) {
        reader.state = 'line-start';
        if (message.overflowed && !message.overBudget) problems.add('too-big');
        return i + 1;
      }
      // "." CR and no LF: the dot was stuffing and the CR is a lone CR, kept as content.
      message.append(LONE_CR, 0, 1);
      if (++lineLength > lineLimit) problems.add('line-too-long');
      problems.add('bare-cr');
      state = 'text';
    } else if (state === 'cr') {
      if (byte === LF) {
        if (++lineLength > lineLimit) problems.add('line-too-long');
        lineLength = 0;
        state = 'line-start';
        i++;
        continue;
      }
      problems.add('bare-cr');
      state = 'text';
    }
    // An ordinary content octet (state is "text", or "line-start" with no dot).
    if (++lineLength > lineLimit) problems.add('line-too-long');
    if (byte === CR) {
      state = 'cr';
    } else {
      state = 'text';
      // Not a line end: only CR LF is (RFC 5321 §2.3.8, "MUST NOT recognize" any other). Kept, and reported.
      if (byte === LF) problems.add('bare-lf');
      else if (byte === NUL) problems.add('nul');
    }
    i++;
  }
  message.append(input, runStart, input.length);
  if (message.overflowed && !message.overBudget) problems.add('too-big');
  reader.state = state;
  reader.lineLength = lineLength;
  return -1;
}

function indexOrEnd(input: Buffer, byte: number, from: number): number {
  const found = input.indexOf(byte, from);
  return found === -1 ? input.length : found;
}

function sameMode(a: InputMode, b: InputMode): boolean {
  if (a.kind === 'command' || b.kind === 'command') return a.kind === b.kind;
  if (a.kind === 'data') return b.kind === 'data' && a.lineLimit === b.lineLimit && a.sizeLimit === b.sizeLimit;
  return b.kind === 'chunk' && a.size === b.size && a.sizeLimit === b.sizeLimit;
}

function modeName(mode: InputMode): string {
  if (mode.kind === 'command') return 'a command line';
  if (mode.kind === 'data') return `DATA (line limit ${mode.lineLimit}, size limit ${mode.sizeLimit})`;
  return `a BDAT chunk of ${mode.size} octets (size limit ${mode.sizeLimit})`;
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
