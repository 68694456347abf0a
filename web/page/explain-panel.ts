/**
 * The explanation panel: a transcript row with what the catalogue says about
 * each of its notes (command, reply code, enhanced code, keyword, state,
 * transition). Wording comes from the catalogue (describeKey) and the row
 * renderer; nothing is explained here.
 */
import { describeKey, renderRowHead, type RowNote, type TranscriptRow } from '../../core/browser.js';

export class ExplainPanel {
  constructor(private readonly host: HTMLElement) {}

  /** `answered`: for a server line, the client row it answers (its command is explained too). */
  show(row: TranscriptRow | undefined, answered?: TranscriptRow): void {
    this.host.replaceChildren();
    if (!row) {
      this.host.append(paragraph('Type a command; its line and the reply are explained here.', 'muted'));
      return;
    }
    const head = document.createElement('pre');
    head.className = `row-head from-${'from' in row ? row.from : row.kind}`;
    head.textContent = renderRowHead(row).join('\n') || row.kind;
    this.host.append(head);
    if (row.notes.length === 0) this.host.append(paragraph(row.kind === 'notice' ? 'maillab says this itself; it never crossed the wire.' : 'Nothing more to say about this line.', 'muted'));
    for (const note of row.notes) this.host.append(explainNote(note));
    if (answered && answered.kind === 'line') {
      const head = document.createElement('pre');
      head.className = 'row-head from-client answered';
      head.textContent = `in answer to ${renderRowHead(answered).join(' ')}`;
      this.host.append(head);
      for (const note of answered.notes) if (note.event.kind === 'annotation') this.host.append(explainNote(note));
    }
  }
}

function explainNote(note: RowNote): HTMLElement {
  const box = document.createElement('div');
  box.className = 'note';
  const event = note.event;
  if (event.kind === 'transition') {
    const title = document.createElement('h3');
    title.textContent = `${event.from} → ${event.to}`;
    box.append(title, paragraph(`State change (${event.cause}), ${event.rfc}.`));
    return box;
  }
  const entry = describeKey(event.key);
  const title = document.createElement('h3');
  title.textContent = entry?.title ?? event.key;
  const rfc = document.createElement('span');
  rfc.className = 'rfc';
  rfc.textContent = ` ${entry?.rfc ?? event.rfc}`;
  title.append(rfc);
  box.append(title);
  if (entry) box.append(paragraph(entry.summary));
  if (entry?.syntax) box.append(paragraph(`Syntax: ${entry.syntax}`, 'syntax'));
  if (entry?.states) box.append(paragraph(`Valid in: ${entry.states.join(', ')}`, 'muted'));
  if (event.detail) box.append(paragraph(event.detail, event.about === 'warning' ? 'warning' : ''));
  if (entry?.historic) box.append(paragraph(entry.historic, 'muted'));
  return box;
}

function paragraph(text: string, className = ''): HTMLParagraphElement {
  const element = document.createElement('p');
  element.textContent = text;
  if (className) element.className = className;
  return element;
}
