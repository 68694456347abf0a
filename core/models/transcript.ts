/**
 * The transcript model: events in, rows out. Every front end (the text
 * renderers of connect, annotate, lesson play and serve --verbose; the TUI;
 * the web page) draws these rows, so none of them works out from event order
 * which explanation belongs to which line.
 *
 * The rules, in one place:
 * - each line on the wire is a row; an annotation or a transition attaches to
 *   the latest wire row (line, body or TLS row): engines and trackers emit a
 *   command's annotation after the client line, a reply's after its (last)
 *   line, and the transitions an input causes last. The one exception: what a
 *   status says (`+OK`, `-ERR`, a response code, an SMTP reply or enhanced
 *   code) belongs to the status line even when the engine emits it after the
 *   body that followed (the POP3 engine does);
 * - a multi-line body (POP3 RETR, SMTP DATA content, a BDAT chunk) is a row of
 *   its own, content kept whole (as bounded by the event), for the renderer to
 *   show or fold;
 * - a client line is pending until its reply is complete; a server line is
 *   pending while its reply goes on (an SMTP "250-" line; a POP3 "+OK" whose
 *   body has not come), final after;
 * - an explanation is `full` the first time its key is seen and `brief` after
 *   (warnings, keywords and explanations with their own detail always full);
 *   a generic status explanation (what `+OK` or `250` means) is left out
 *   after the first time; the annotations level (`full`, `brief`, `off`)
 *   applies on top.
 *
 * Rows are appended, never removed; a row that is final and has a later wire
 * row after it is frozen. Pure and browser-safe: no Node built-ins.
 */
import type { AnnotationEvent, BodyEvent, CertSummary, EventEnvelope, Party, TransitionEvent, WireEvent } from '../events.js';
import type { ErrorCode } from '../errors.js';
import { pop3ReplyHasBody } from '../protocols/index.js';

export type AnnotationsLevel = 'full' | 'brief' | 'off';
/** How much of a note to show: its whole summary, one short line, or nothing. */
export type Explanation = 'full' | 'brief' | 'none';
export type RowStatus = 'pending' | 'final';

/** An annotation or a transition attached to the row it explains. */
export interface RowNote {
  readonly event: AnnotationEvent | TransitionEvent;
  /** True the first time this key was explained in the session. */
  readonly first: boolean;
  readonly explanation: Explanation;
}

interface RowBase {
  /** Index in `rows`, from 0. */
  readonly id: number;
  /** The envelope `seq` of the event that made the row (0 when fed bare events). */
  readonly seq: number;
  readonly status: RowStatus;
  readonly notes: readonly RowNote[];
}

export interface LineRow extends RowBase {
  readonly kind: 'line';
  readonly from: Party;
  readonly text: string;
  readonly masked: boolean;
  /** Server rows: the id of the client row this line answers, if one was waiting. */
  readonly answers?: number;
}

export interface BodyRow extends RowBase {
  readonly kind: 'body';
  readonly from: Party;
  readonly body: BodyEvent;
}

export interface TlsRow extends RowBase {
  readonly kind: 'tls';
  readonly version: string;
  readonly cipher: string;
  readonly peer?: CertSummary;
}

export interface NoticeRow extends RowBase {
  readonly kind: 'notice';
  readonly text: string;
  readonly level: 'info' | 'warning';
}

export interface ErrorRow extends RowBase {
  readonly kind: 'error';
  readonly code: ErrorCode;
  readonly message: string;
}

/** One line exactly as it crossed the wire (the show-bytes view). */
export interface RawRow extends RowBase {
  readonly kind: 'raw';
  readonly from: Party;
  readonly bytes: string;
}

/** Notes that came before any wire row (a warning at connect time). */
export interface NotesRow extends RowBase {
  readonly kind: 'notes';
}

export type TranscriptRow = LineRow | BodyRow | TlsRow | NoticeRow | ErrorRow | RawRow | NotesRow;

/** What one event changed, in order: a front end that prints as it goes draws exactly these. */
export type TranscriptUpdate =
  | { readonly kind: 'row'; readonly row: TranscriptRow }
  | { readonly kind: 'note'; readonly row: TranscriptRow; readonly note: RowNote }
  | { readonly kind: 'final'; readonly row: TranscriptRow };

export interface TranscriptModelOptions {
  annotations?: AnnotationsLevel;
}

/** A row while the model may still change it. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] } & { notes: RowNote[] };
type OpenRow = Mutable<TranscriptRow>;

/** The reducer: feed events (or envelopes) in order, read `rows`. */
export class TranscriptModel {
  private readonly list: OpenRow[] = [];
  private readonly explained = new Set<string>();
  /** Client rows waiting for their reply, oldest first (a FIFO, as pipelining needs). */
  private readonly waiting: OpenRow[] = [];
  private waitingHead = 0;
  /** Server rows of the reply in progress (SMTP continuation lines, a POP3 status line before its body). */
  private replyRows: OpenRow[] = [];
  /** The client row the reply in progress answers. */
  private replyTo: OpenRow | undefined;
  /** The POP3 status row whose body is expected next. */
  private bodyOpener: OpenRow | undefined;
  /** The latest line, body or TLS row: where notes attach. */
  private wireRow: OpenRow | undefined;
  /** The status line of the latest reply (its last line): where what the status means attaches. */
  private statusRow: OpenRow | undefined;
  private level: AnnotationsLevel;

  constructor(options: TranscriptModelOptions = {}) {
    this.level = options.annotations ?? 'full';
  }

  /** Every row so far; append-only. */
  get rows(): readonly TranscriptRow[] {
    return this.list;
  }

  get annotations(): AnnotationsLevel {
    return this.level;
  }

  /** Changes the annotations level for the notes from now on (`/annotations` at a prompt). */
  setAnnotations(level: AnnotationsLevel): void {
    this.level = level;
  }

  /** Folds one event in; returns what changed, in order. */
  apply(input: WireEvent | EventEnvelope): TranscriptUpdate[] {
    const isEnvelope = 'event' in input && 'seq' in input;
    const event = isEnvelope ? input.event : (input as WireEvent);
    const seq = isEnvelope ? input.seq : 0;
    const updates: TranscriptUpdate[] = [];
    switch (event.kind) {
      case 'line':
        if (event.from === 'client') this.clientLine(event.text, event.masked === true, seq, updates);
        else this.serverLine(event.text, seq, updates);
        break;
      case 'body':
        this.body(event, seq, updates);
        break;
      case 'tls':
        this.wireRow = this.add({ kind: 'tls', id: 0, seq, status: 'final', notes: [], version: event.version, cipher: event.cipher, ...(event.peer ? { peer: event.peer } : {}) }, updates, true);
        break;
      case 'annotation':
      case 'transition':
        this.note(event, seq, updates);
        break;
      case 'notice':
        this.add({ kind: 'notice', id: 0, seq, status: 'final', notes: [], text: event.text, level: event.level ?? 'info' }, updates, false);
        break;
      case 'error':
        this.add({ kind: 'error', id: 0, seq, status: 'final', notes: [], code: event.code, message: event.message }, updates, false);
        break;
      case 'raw':
        this.add({ kind: 'raw', id: 0, seq, status: 'final', notes: [], from: event.from, bytes: event.bytes }, updates, false);
        break;
    }
    return updates;
  }

  /** Folds many events in; returns every change. */
  applyAll(inputs: Iterable<WireEvent | EventEnvelope>): TranscriptUpdate[] {
    const updates: TranscriptUpdate[] = [];
    for (const input of inputs) updates.push(...this.apply(input));
    return updates;
  }

  /** The session ended: nothing more will answer, so every pending row is final. */
  end(): TranscriptUpdate[] {
    const updates: TranscriptUpdate[] = [];
    for (let i = this.waitingHead; i < this.waiting.length; i++) this.finish(this.waiting[i]!, updates);
    for (const row of this.replyRows) this.finish(row, updates);
    if (this.replyTo) this.finish(this.replyTo, updates);
    this.waiting.length = 0;
    this.waitingHead = 0;
    this.replyRows = [];
    this.replyTo = undefined;
    this.bodyOpener = undefined;
    return updates;
  }

  private clientLine(text: string, masked: boolean, seq: number, updates: TranscriptUpdate[]): void {
    // A body that never came (the server went on): its status row is final as it stands.
    if (this.bodyOpener) this.completeReply(updates);
    this.setStatusRow(undefined);
    const row = this.add({ kind: 'line', id: 0, seq, status: 'pending', notes: [], from: 'client', text, masked }, updates, true);
    this.wireRow = row;
    this.waiting.push(row);
  }

  private serverLine(text: string, seq: number, updates: TranscriptUpdate[]): void {
    if (this.bodyOpener) this.completeReply(updates);
    if (this.replyRows.length === 0) this.replyTo = this.nextWaiting();
    const answers = this.replyTo?.id;
    const row = this.add({ kind: 'line', id: 0, seq, status: 'pending', notes: [], from: 'server', text, masked: false, ...(answers === undefined ? {} : { answers }) }, updates, true);
    this.wireRow = row;
    this.replyRows.push(row);
    if (/^\d{3}-/.test(text)) return; // RFC 5321 §4.2.1: more lines of this reply follow
    this.setStatusRow(row);
    if (text.startsWith('+OK') && this.replyTo?.kind === 'line' && pop3ReplyHasBody(this.replyTo.text)) {
      this.bodyOpener = row;
      return;
    }
    this.completeReply(updates);
  }

  private body(event: BodyEvent, seq: number, updates: TranscriptUpdate[]): void {
    const opener = this.bodyOpener;
    this.bodyOpener = undefined;
    const row = this.add({ kind: 'body', id: 0, seq, status: 'final', notes: [], from: event.from, body: event }, updates, true);
    this.wireRow = row;
    if (opener) this.completeReply(updates);
  }

  private note(event: AnnotationEvent | TransitionEvent, seq: number, updates: TranscriptUpdate[]): void {
    const note = this.describe(event);
    let row = event.kind === 'annotation' && this.statusRow && STATUS_KEY.test(event.key) ? this.statusRow : this.wireRow;
    if (!row) {
      row = this.add({ kind: 'notes', id: 0, seq, status: 'final', notes: [] }, updates, true);
      this.wireRow = row;
    }
    row.notes.push(note);
    updates.push({ kind: 'note', row, note });
    // The session is over: nothing pending will be answered.
    if (event.kind === 'transition' && event.to === 'CLOSED') updates.push(...this.end());
  }

  /** The full-the-first-time, brief-after rule, and the annotations level. */
  private describe(event: AnnotationEvent | TransitionEvent): RowNote {
    if (event.kind === 'transition') return { event, first: true, explanation: this.level === 'off' ? 'none' : 'full' };
    const repeatable = event.about !== 'warning' && event.about !== 'keyword' && event.detail === undefined;
    const first = !this.explained.has(event.key);
    this.explained.add(event.key);
    let explanation: Explanation = !repeatable || first ? 'full' : 'brief';
    if (event.about !== 'warning') {
      if (this.level === 'off') explanation = 'none';
      else if (this.level === 'brief' && explanation === 'full') explanation = 'brief';
    }
    // What "+OK" or "250" means in general is read once; after that it is noise under every reply.
    if (repeatable && !first && STATUS_KEY.test(event.key)) explanation = 'none';
    return { event, first, explanation };
  }

  private nextWaiting(): OpenRow | undefined {
    if (this.waitingHead >= this.waiting.length) return undefined;
    const row = this.waiting[this.waitingHead++]!;
    // Compact now and then so a long session does not keep every answered row reachable here.
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
    return row;
  }

  private completeReply(updates: TranscriptUpdate[]): void {
    for (const row of this.replyRows) this.finish(row, updates);
    if (this.replyTo) this.finish(this.replyTo, updates);
    this.replyRows = [];
    this.replyTo = undefined;
    this.bodyOpener = undefined;
  }

  private finish(row: OpenRow, updates: TranscriptUpdate[]): void {
    if (row.status === 'final') return;
    row.status = 'final';
    updates.push({ kind: 'final', row });
    this.seal(row);
  }

  private setStatusRow(row: OpenRow | undefined): void {
    const previous = this.statusRow;
    this.statusRow = row;
    if (previous) this.seal(previous);
  }

  /** Freezes a row nothing can change any more: final, and neither where notes attach nor a status line. */
  private seal(row: OpenRow): void {
    if (row.status === 'final' && row !== this.wireRow && row !== this.statusRow) freeze(row);
  }

  /** Appends a row; a wire row seals the previous wire row (frozen once final). */
  private add(row: OpenRow, updates: TranscriptUpdate[], wire: boolean): OpenRow {
    row.id = this.list.length;
    const previous = this.wireRow;
    if (wire) this.wireRow = row;
    if (previous && wire) this.seal(previous);
    this.list.push(row);
    updates.push({ kind: 'row', row });
    if (!wire && row.status === 'final') freeze(row);
    return row;
  }
}

/** Annotation keys that say what a status means: they belong to the status line. */
const STATUS_KEY = /^(pop3\.(reply|code)\.|smtp\.(reply|enhanced)\.)/;

function freeze(row: OpenRow): void {
  if (Object.isFrozen(row)) return;
  Object.freeze(row.notes);
  Object.freeze(row);
}

/** The rows of a whole event list, at once (annotate, a saved session, tests). */
export function transcriptRows(inputs: Iterable<WireEvent | EventEnvelope>, options: TranscriptModelOptions = {}): readonly TranscriptRow[] {
  const model = new TranscriptModel(options);
  model.applyAll(inputs);
  model.end();
  return model.rows;
}
