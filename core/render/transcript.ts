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
import { escapeControls, escapeLines } from '../escape-text.js';
import type { AnnotationEvent, BodyEvent, EventEnvelope, WireEvent } from '../events.js';
import { TranscriptModel, type RowNote, type TranscriptModelOptions, type TranscriptRow } from '../models/transcript.js';
import { showBytes } from './show-bytes.js';

export interface RowTextOptions {
  /**
   * The show-bytes view: raw rows are shown (CR/LF as symbols), server lines
   * are left to them, and the RETR size check that passed is shown too.
   */
  showBytes?: boolean;
}

/** The text of a row's own line(s), without its notes. */
export function renderRowHead(row: TranscriptRow, options: RowTextOptions = {}): string[] {
  switch (row.kind) {
    case 'line':
      if (options.showBytes && row.from === 'server') return [];
      return [`${party(row.from)} ${escapeControls(row.text)}`];
    case 'body':
      return [renderBodySummary(row.body)];
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
    return `   = ${describeKey(event.key)?.title ?? event.key} (${event.rfc})`;
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
}

/** A printer for one session: what each event adds to the rows, as text. */
export function createTranscriptPrinter(options: RowTextOptions & TranscriptModelOptions = {}): TranscriptPrinter {
  const model = new TranscriptModel(options.annotations ? { annotations: options.annotations } : {});
  const view: RowTextOptions = { ...(options.showBytes ? { showBytes: true } : {}) };
  return {
    model,
    options: view,
    print(input) {
      const out: string[] = [];
      for (const update of model.apply(input)) {
        if (update.kind === 'row') out.push(...renderRowHead(update.row, view));
        else if (update.kind === 'note') {
          const text = renderNote(update.note, view);
          if (text !== undefined) out.push(text);
        }
      }
      return out;
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

function renderBodySummary(body: BodyEvent): string {
  return `${party(body.from)} (${body.lines} line${body.lines === 1 ? '' : 's'}, ${body.octets} octets, then ".")`;
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
      return `   !! WARNING ${entry?.title ?? event.key}: ${event.detail ?? entry?.summary ?? ''} ${rfc}`;
    case 'keyword':
      return `   + ${event.detail ?? entry?.title ?? event.key}: ${entry ? (entry.brief ?? entry.title) : 'not in the catalogue'} ${rfc}`;
    default: {
      if (!entry) return `   = ${event.key}${event.detail ? `: ${event.detail}` : ''} ${rfc}`;
      return `   = ${entry.title}: ${event.detail ?? entry.summary} ${rfc}`;
    }
  }
}
