/**
 * Renders transcript-model rows (core/models/transcript.ts) as RFC-style text:
 * `C:` / `S:` lines, then the notes that explain them, indented. The one
 * place rows become plain text for connect, annotate, lesson play, serve
 * --verbose and transcript files. Annotation wording comes from the
 * catalogue; which note belongs to which line, and how much of it to show,
 * comes from the model. Every text it returns is escaped (core/escape-text.ts):
 * no control byte from the network reaches a terminal or a file.
 */
import { describeKey } from '../annotations/describe.js';
import { escapeControls, escapeFoldedLine, escapeLines } from '../escape-text.js';
import type { AnnotationEvent, BodyEvent, EventEnvelope, WireEvent } from '../events.js';
import { TranscriptModel, type BodyRow, type RowNote, type TranscriptModelOptions, type TranscriptRow } from '../models/transcript.js';
import { showBytes } from './show-bytes.js';

export interface RowTextOptions {
  /**
   * The show-bytes view: raw rows are shown (CR/LF as symbols), server lines
   * are left to them, and the RETR size check that passed is shown too.
   */
  showBytes?: boolean;
  /**
   * How many lines of a body to show before folding the rest (a terminal);
   * undefined shows every line (a script, a file). Folded lines are never
   * lost: the row keeps them and `renderBody` shows them on request.
   */
  foldAfter?: number;
  /** Client bodies as a one-line summary: the lines are on screen already (typed at a terminal). */
  typedClientBodies?: boolean;
  /** The number to show in a fold line, for `/show N` (a front end numbers its bodies). */
  bodyNumber?: (row: TranscriptRow) => number | undefined;
  /** A printer's fold line offers `/more` and `/show N` (a console; the default); false for a log nobody can type into. */
  foldOffersMore?: boolean;
}

/** The text of a row's own line(s), without its notes. */
export function renderRowHead(row: TranscriptRow, options: RowTextOptions = {}): string[] {
  switch (row.kind) {
    case 'line':
      if (options.showBytes && row.from === 'server') return [];
      if (options.showBytes && !row.masked) return [`${party(row.from)} ${showBytes({ text: row.text, ending: 'crlf' })}`];
      return [`${party(row.from)} ${escapeControls(wireText(row.text))}`];
    case 'body':
      // The show-bytes view shows server bodies line by line as raw rows.
      if (options.showBytes && row.from === 'server') return [];
      if (options.typedClientBodies && row.from === 'client') return [renderBodySummary(row.body)];
      return renderBody(row.body, { ...options, number: options.bodyNumber?.(row) });
    case 'tls':
      return [renderEvent({ kind: 'tls', version: row.version, cipher: row.cipher, ...(row.peer ? { peer: row.peer } : {}) })!];
    case 'error':
      return [`   error ${row.code}: ${escapeControls(row.message)}`];
    case 'notice':
      return [`   ${escapeLines(row.text).replace(/\n/g, '\n   ')}`];
    case 'raw':
      if (!options.showBytes || row.from !== 'server') return [];
      return [`S: ${showBytes({ text: row.bytes.replace(/\r?\n$/, ''), ending: /\r\n$/.test(row.bytes) || !row.bytes.endsWith('\n') ? 'crlf' : 'lf' })}`];
    case 'notes':
      return [];
  }
}

/** One note as text, or undefined when the annotations level or the view leaves it out. */
export function renderNote(note: RowNote, options: RowTextOptions = {}): string | undefined {
  const text = noteText(note, options);
  return text === undefined ? undefined : escapeLines(text);
}

function noteText(note: RowNote, options: RowTextOptions): string | undefined {
  if (note.explanation === 'none') return undefined;
  const event = note.event;
  // The check that passed is invisible normally, shown on request with the bytes.
  if (event.kind === 'annotation' && event.key === 'pop3.retr.size-check' && !options.showBytes) return undefined;
  if (note.explanation === 'brief' && event.kind === 'annotation' && event.about !== 'keyword' && event.about !== 'warning' && event.detail === undefined) {
    return `   = ${describeKey(event.key)?.title ?? event.detail ?? 'no explanation in the catalogue'} (${event.rfc})`;
  }
  return renderEvent(event);
}

/** A whole row as text: its line, then its notes. */
export function renderRow(row: TranscriptRow, options: RowTextOptions = {}): string[] {
  return [...renderRowHead(row, options), ...row.notes.flatMap((note) => renderNote(note, options) ?? [])];
}

/** Rows as text, in order. */
export function renderRows(rows: Iterable<TranscriptRow>, options: RowTextOptions = {}): string[] {
  const out: string[] = [];
  for (const row of rows) out.push(...renderRow(row, options));
  return out;
}

/** A model with a printer: feed events, get the text lines they add, in order (for output that streams). */
export interface TranscriptPrinter {
  readonly model: TranscriptModel;
  /** The view; may change between events (/bytes on). */
  options: RowTextOptions;
  print(input: WireEvent | EventEnvelope): string[];
  /** `/more`: the next lines of the latest folded body (a notice when none is folded). */
  more(): string[];
  /** `/show N`: body N whole (bodies are numbered from 1 in the fold lines). */
  show(number: number): string[];
}

/** A printer for one session: what each event adds to the rows, as text. */
export function createTranscriptPrinter(options: RowTextOptions & TranscriptModelOptions = {}): TranscriptPrinter {
  const model = new TranscriptModel(options.annotations ? { annotations: options.annotations } : {});
  const { annotations: _level, ...rest } = options;
  const bodies: BodyRow[] = [];
  /** The folded body /more continues, and the first line not shown yet. */
  let folded: { row: BodyRow; next: number } | undefined;
  const numbered = rest.foldOffersMore !== false;
  const view: RowTextOptions = { ...rest, bodyNumber: (row) => (numbered && row.kind === 'body' ? bodies.indexOf(row) + 1 || undefined : undefined) };
  return {
    model,
    options: view,
    print(input) {
      const out: string[] = [];
      for (const update of model.apply(input)) {
        if (update.kind === 'row') {
          const row = update.row;
          if (row.kind === 'body' && row.body.content !== undefined) {
            bodies.push(row);
            const shown = view.foldAfter ?? Infinity;
            folded = shown < row.body.lines && !(view.typedClientBodies && row.from === 'client') && !(view.showBytes && row.from === 'server') ? { row, next: shown } : undefined;
          }
          out.push(...renderRowHead(row, view));
        } else if (update.kind === 'note') {
          const text = renderNote(update.note, view);
          if (text !== undefined) out.push(text);
        }
      }
      return out;
    },
    more() {
      if (!folded) return ['   no folded body to continue; /show N shows body N whole'];
      const lines = renderBody(folded.row.body, { ...view, from: folded.next, number: bodies.indexOf(folded.row) + 1 });
      folded.next += view.foldAfter ?? Infinity;
      if (folded.next >= folded.row.body.lines) folded = undefined;
      return lines;
    },
    show(number) {
      const row = bodies[number - 1];
      if (!row) return [bodies.length === 0 ? '   no body has come yet' : `   no body ${number}; bodies so far: 1 to ${bodies.length}`];
      return renderBody(row.body, { ...view, foldAfter: undefined });
    },
  };
}

/**
 * One event as text, out of any row (a log line about one event). Notes of
 * rows are rendered with it too; front ends should render rows.
 */
export function renderEvent(event: WireEvent): string | undefined {
  if (event.kind === 'line') return `${party(event.from)} ${escapeControls(event.text)}`;
  const text = eventText(event);
  return text === undefined ? undefined : escapeLines(text);
}

function eventText(event: WireEvent): string | undefined {
  switch (event.kind) {
    case 'line':
      return `${party(event.from)} ${event.text}`;
    case 'body':
      return renderBodySummary(event);
    case 'transition':
      return `   state ${event.from} -> ${event.to}: ${event.cause} (${event.rfc})`;
    case 'tls': {
      const peer = event.peer
        ? `; certificate ${event.peer.subject}, issued by ${event.peer.issuer}, valid ${event.peer.validFrom} to ${event.peer.validTo}, ${event.peer.verified ? 'verified' : 'NOT verified'}`
        : '';
      return `   TLS ${event.version} ${event.cipher}${peer}`;
    }
    case 'error':
      return `   error ${event.code}: ${event.message}`;
    case 'annotation':
      return renderAnnotation(event);
    case 'notice':
      return `   ${event.text.replace(/\n/g, '\n   ')}`;
    case 'raw':
      return undefined;
  }
}

function party(from: 'client' | 'server'): string {
  return from === 'client' ? 'C:' : 'S:';
}

/** `(12 lines, 390 octets, then ".")`, or for a BDAT chunk `(BDAT chunk: 3 lines, 120 octets, no ".")`. */
/** A body as one line: `S: (12 lines, 390 octets, then ".")`, or a BDAT chunk's own wording. */
export function renderBodySummary(body: BodyEvent): string {
  const lines = `${body.lines} line${body.lines === 1 ? '' : 's'}, ${body.octets} octets`;
  return `${party(body.from)} (${body.ending === 'chunk' ? `BDAT chunk: ${lines}; its size in the BDAT command ends it, no "."` : `${lines}, then "."`})`;
}

export interface BodyTextOptions extends RowTextOptions {
  /** Show the lines from this one (0-based) on; the lines before are on screen already (/more). */
  from?: number;
  /** The number a fold line offers for `/show N`. */
  number?: number | undefined;
}

/**
 * A body as the lines that crossed the wire, each with its party's prefix:
 * dot-stuffed again (RFC 1939 §3, RFC 5321 §4.5.2) and, for a server's, ended by the "." line,
 * or for a BDAT chunk (RFC 3030 §2) the chunk's lines and what ended it. With
 * `foldAfter`, the lines past it are folded into one line saying how to see
 * them; a body the producer kept no content of is summarised.
 */
export function renderBody(body: BodyEvent, options: BodyTextOptions = {}): string[] {
  if (body.content === undefined) return [renderBodySummary(body)];
  const prefix = party(body.from);
  const all = body.lines === 0 && body.content === '' ? [] : body.content.split('\r\n');
  const start = Math.min(options.from ?? 0, all.length);
  const end = options.foldAfter === undefined ? all.length : Math.min(all.length, start + options.foldAfter);
  const onWire = (line: string) => (body.ending === 'chunk' || !line.startsWith('.') ? line : `.${line}`);
  // The show-bytes view marks line ends and stuffing (a chunk's last line may have no CRLF of its own: it is the chunk's end).
  const folded = foldedHeaderLines(all);
  const out = all.slice(start, end).map((line, index) => {
    if (options.showBytes) return `${prefix} ${showBytes({ text: onWire(line), ending: 'crlf' })}`;
    const text = wireText(onWire(line));
    return `${prefix} ${folded(start + index) ? escapeFoldedLine(text) : escapeControls(text)}`;
  });
  if (end < all.length || body.truncated) {
    const more = all.length - end;
    const how = options.number === undefined ? '' : more > 0 ? `: /more shows the next ${Math.min(more, options.foldAfter ?? more)}, /show ${options.number} the whole body` : '';
    out.push(`   ... ${more > 0 ? `${more} more line${more === 1 ? '' : 's'}` : ''}${more > 0 && body.truncated ? ' and ' : ''}${body.truncated ? 'the rest, past what maillab keeps of one body,' : ''} not shown${how}`);
  }
  // A log's fold is final (nobody asks for /more there): the body's end follows it, as on the wire.
  if (end === all.length || options.foldAfter === undefined || options.foldOffersMore === false) {
    if (body.ending === 'chunk') out.push(`   (end of the BDAT chunk: ${body.octets} octets, counted by the BDAT command, no "." line)`);
    // A client's "." is a line event of its own (trackers and the SMTP engine emit it); a POP3 body's is part of the body.
    else if (body.from === 'server') out.push(`${prefix} .`);
  }
  return out;
}

/**
 * Which lines of a body are continuation lines of a folded header field: in
 * a message's header section (up to its first empty line, when the body
 * starts with a field name), a line that starts with a space or TAB
 * (RFC 5322 §2.2.3).
 */
function foldedHeaderLines(lines: readonly string[]): (index: number) => boolean {
  if (!/^[!-9;-~]+:/.test(lines[0] ?? '')) return () => false;
  const blank = lines.indexOf('');
  const headerEnd = blank === -1 ? lines.length : blank;
  return (index) => index > 0 && index < headerEnd && /^[ \t]/.test(lines[index]!);
}

/**
 * Wire text (latin1, one character per octet) for a screen: UTF-8 when the
 * octets are valid UTF-8, so the output carries the very octets received;
 * otherwise each octet as its latin1 character.
 */
export function wireText(text: string): string {
  if (!/[\x80-\xff]/.test(text)) return text;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return text;
  }
}

/**
 * `   = 354 Start mail input: … (RFC 5321 §4.1.1.4)` for commands, replies and states;
 * `   + SIZE 10485760: message size declaration (RFC 1870 §4)` for keywords, one short line each;
 * `   !! WARNING Password sent without TLS: … (RFC 8314 §1)` for warnings.
 * An event's own detail (the keyword line, the decoded challenge) is shown in place of the summary.
 */
function renderAnnotation(event: AnnotationEvent): string {
  const entry = describeKey(event.key);
  const rfc = `(${event.rfc})`;
  switch (event.about) {
    case 'warning':
      return `   !! WARNING ${entry?.title ?? 'Warning'}: ${event.detail ?? entry?.summary ?? ''} ${rfc}`;
    case 'keyword':
      return `   + ${event.detail ?? entry?.title ?? 'a keyword'}: ${entry ? (entry.brief ?? entry.title) : 'not in the catalogue'} ${rfc}`;
    default: {
      // Never a raw catalogue key on screen: a key without words says what it can.
      if (!entry) return `   = ${event.detail ?? 'no explanation in the catalogue'} ${rfc}`;
      return `   = ${entry.title}: ${event.detail === '' ? '(empty)' : (event.detail ?? entry.summary)} ${rfc}`;
    }
  }
}
