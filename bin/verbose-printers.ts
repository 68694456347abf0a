/**
 * `serve --verbose`'s transcript printers, one per connection, that do not
 * keep a whole session: a printer's model holds every row (and each body's
 * content, up to 1 MiB), so a long session (300,000 NOOPs, a large message
 * fetched again and again) would grow the log's memory without end. A
 * connection's printer is replaced by a fresh one once it holds
 * `maxRows` rows or `maxBodyBytes` of bodies, at the next client line (a
 * command starts: the rows before it are printed and final). The log loses
 * only the "explained once" memory of annotations, which start full again.
 */
import { createTranscriptPrinter, type TranscriptPrinter } from '../core/render/transcript.js';
import type { EventEnvelope, WireEvent } from '../core/events.js';

export interface VerbosePrinterOptions {
  /** Body lines shown before a fold. */
  foldAfter: number;
  maxRows?: number;
  maxBodyBytes?: number;
}

export class VerbosePrinters {
  private readonly printers = new Map<string, { printer: TranscriptPrinter; bodyBytes: number }>();

  constructor(private readonly options: VerbosePrinterOptions) {}

  /** The lines to log for one event of connection `tag`. */
  print(tag: string, input: WireEvent | EventEnvelope): string[] {
    const event = 'event' in input && 'seq' in input ? input.event : (input as WireEvent);
    let entry = this.printers.get(tag);
    const full = entry !== undefined && (entry.printer.model.rows.length >= (this.options.maxRows ?? 500) || entry.bodyBytes >= (this.options.maxBodyBytes ?? 4 * 1024 * 1024));
    if (!entry || (full && event.kind === 'line' && event.from === 'client')) {
      entry = { printer: createTranscriptPrinter({ foldAfter: this.options.foldAfter, foldOffersMore: false }), bodyBytes: 0 };
      this.printers.set(tag, entry);
    }
    if (event.kind === 'body') entry.bodyBytes += event.content?.length ?? 0;
    return entry.printer.print(input);
  }

  /** The connection closed: its printer goes. */
  forget(tag: string): void {
    this.printers.delete(tag);
  }

  /** Rows and body bytes held for `tag` now (tests). */
  held(tag: string): { rows: number; bodyBytes: number } {
    const entry = this.printers.get(tag);
    return { rows: entry?.printer.model.rows.length ?? 0, bodyBytes: entry?.bodyBytes ?? 0 };
  }
}
