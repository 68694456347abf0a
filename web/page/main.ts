/**
 * The classroom page: wires the bridge client, the transcript and console
 * models (through the terminal view), the state diagram, the explanation
 * panel, the pickers, downloads and display modes. Protocol facts and wording
 * all come from the core's browser entry; this file only routes.
 */
import './styles.css';
import { renderRows, TranscriptModel, type ConsoleAction, type EventEnvelope, type TranscriptRow } from '../../core/browser.js';
import type { LessonSummary, ServerMessage, SessionStatus, TargetChoice } from '../protocol/messages.js';
import { BridgeClient } from './bridge-client.js';
import { PAGE_META_COMMANDS } from './page-meta-commands.js';
import { ExplainPanel } from './explain-panel.js';
import { StateDiagram } from './state-diagram.js';
import { DARK, LIGHT, PROJECTOR_DARK, PROJECTOR_LIGHT, TerminalView } from './terminal-view.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** One target's stretch of the transcript: its own model, its rows numbered from `base` in the page's list. */
interface Segment {
  source: string;
  model: TranscriptModel;
  base: number;
}

const segments: Segment[] = [];
const envelopes: EventEnvelope[] = [];
let status: SessionStatus | undefined;
let selected: number | undefined;
let watching: number | undefined;
/** Counts fresh sessions after the first (a server restart): part of a segment's key. */
let epoch = 0;

const diagram = new StateDiagram($('diagram'), $('last-transition'), $('state-name'));
const panel = new ExplainPanel($('explanation'));
const view = new TerminalView({
  host: $('terminal'),
  onAction: act,
  onView: (console) => {
    const hint = console.completions ? console.completions.join('  ') : (console.hint ?? (console.mode === 'data' ? 'message content: a line with only "." ends it' : ''));
    $('hint').textContent = hint;
  },
  onSelectRow: (id) => select(id),
});
const bridge = new BridgeClient({
  onWelcome: (welcome, fresh) => {
    fillPickers(welcome);
    if (fresh) {
      // Session names start again at "1.1" on a restarted server: the new session's rows must not join an old segment of the same name.
      epoch++;
      view.say('The classroom server restarted (or this session ended): a new session begins below; the lines above are kept.');
    }
  },
  onEnvelopes: receive,
  onStatus: setStatus,
  onRefused: (code, message) => view.say(`refused (${code}): ${message}`),
  askClassCode: (reason) => {
    const typed = window.prompt(`${reason}. Your teacher gives the class code: type it to join.`) ?? undefined;
    if (!typed) view.say('No class code typed: reload the page to try again.');
    return typed;
  },
  onConnection: (state) => {
    $('connection').textContent = state === 'open' ? (status?.label ?? 'connected') : state === 'connecting' ? 'connecting…' : 'connection lost; reconnecting…';
    document.body.dataset.connection = state;
  },
});

function segmentFor(session: string): Segment {
  const source = `${epoch}/${session}`;
  const last = segments[segments.length - 1];
  if (last && last.source === source) return last;
  if (last) view.write(last.model.end(), last.base);
  diagram.forgetTransition();
  const segment = { source, model: new TranscriptModel(), base: last ? last.base + last.model.rows.length : 0 };
  segments.push(segment);
  return segment;
}

function receive(batch: EventEnvelope[]): void {
  let newest: TranscriptRow | undefined;
  for (const envelope of batch) {
    envelopes.push(envelope);
    const segment = segmentFor(envelope.session);
    const updates = segment.model.apply(envelope);
    view.write(updates, segment.base);
    const event = envelope.event;
    if (event.kind === 'transition') diagram.transition(event);
    if (event.kind === 'notice' && status?.lesson) narrate(event.text);
    for (const update of updates) if (update.kind === 'row' && update.row.kind !== 'notes') newest = update.row;
  }
  if (newest && selected === undefined) showRow(newest, segments[segments.length - 1]!.base + newest.id);
  else if (selected !== undefined) showRow(rowById(selected), selected);
  document.body.dataset.lastSeq = String(bridge.seq);
}

function setStatus(next: SessionStatus): void {
  const changed = status?.generation !== next.generation;
  status = next;
  diagram.show(next.protocol);
  diagram.setState(next.state);
  view.setContext(next.protocol, next.state, next.inputMode);
  view.resume();
  $('connection').textContent = `${next.label}${next.closed ? ' — closed' : ''}`;
  const facts = next.facts;
  $('facts').textContent = [
    facts.tls ? 'TLS' : 'no TLS',
    facts.user ? `user ${facts.user}` : '',
    facts.messages !== undefined ? `${facts.messages} messages` : '',
    facts.envelope ? `MAIL FROM:<${facts.envelope.from ?? ''}> RCPT ${facts.envelope.to.length}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  document.body.dataset.state = next.state;
  document.body.dataset.protocol = next.protocol;
  const lesson = next.lesson;
  $('narration-panel').hidden = !lesson;
  ($('next') as HTMLButtonElement).disabled = !lesson || lesson.mode === 'practice' || !lesson.stepsLeft;
  $('lesson-progress').textContent = lesson ? `${lesson.title}${facts.step !== undefined ? ` — step ${facts.step} of ${facts.steps}` : ''} (${lesson.mode})` : '';
  if (changed) {
    selected = undefined;
    if (lesson) $('narration').replaceChildren();
    stopWatching();
    if (lesson?.mode === 'watch') watching = window.setInterval(() => bridge.send({ v: 1, t: 'next' }), 1800);
  }
  if (lesson && !lesson.stepsLeft) stopWatching();
}

function stopWatching(): void {
  if (watching !== undefined) window.clearInterval(watching);
  watching = undefined;
}

function narrate(text: string): void {
  const paragraph = document.createElement('p');
  // Lesson files wrap narration at a fixed width; the panel wraps it to its own.
  paragraph.textContent = text.replace(/([^\n])\n(?=[^\n])/g, '$1 ');
  const narration = $('narration');
  narration.append(paragraph);
  narration.scrollTop = narration.scrollHeight;
}

/** What the console model asks for. */
function act(action: ConsoleAction): void {
  if (action.kind === 'send') {
    bridge.send({ v: 1, t: 'input', lines: action.lines });
    return;
  }
  if (action.kind === 'meta') {
    if (!localMeta(action.line)) bridge.send({ v: 1, t: 'meta', line: action.line });
  }
}

/** Meta-commands the page runs itself (never sent): the screen, downloads, annotations, display. */
function localMeta(line: string): boolean {
  const [name = '', argument = ''] = line.slice(1).trim().split(/\s+/);
  switch (name.toLowerCase()) {
    case 'help':
      view.say(['meta-commands (run here, never sent to the server; Tab completes them):', ...PAGE_META_COMMANDS.map((command) => `  ${command.usage.padEnd(34)} ${command.description}`)].join('\n'));
      return true;
    case 'clear':
      view.clear();
      return true;
    case 'save':
      download('text');
      return true;
    case 'annotations':
      if (argument === 'full' || argument === 'brief' || argument === 'off') {
        for (const segment of segments) segment.model.setAnnotations(argument);
        view.say(`annotations: ${argument}`);
      } else view.say('usage: /annotations full|brief|off');
      return true;
    case 'theme':
      toggleTheme();
      return true;
    case 'projector':
      toggleProjector();
      return true;
    case 'quit':
      view.say('In the browser, close the tab to leave; pick another connection or lesson above to switch.');
      return true;
    default:
      return false;
  }
}

function rowById(id: number): TranscriptRow | undefined {
  const segment = [...segments].reverse().find((entry) => entry.base <= id);
  return segment?.model.rows[id - segment.base];
}

function totalRows(): number {
  const last = segments[segments.length - 1];
  return last ? last.base + last.model.rows.length : 0;
}

/** A row in the panel; a reply with the command it answers. */
function showRow(row: TranscriptRow | undefined, id: number | undefined): void {
  const answers = row?.kind === 'line' && row.answers !== undefined && id !== undefined ? rowById(id - row.id + row.answers) : undefined;
  panel.show(row, answers);
}

function select(id: number | undefined): void {
  selected = id;
  showRow(id === undefined ? undefined : rowById(id), id);
  document.body.dataset.selectedRow = id === undefined ? '' : String(id);
}

/** Alt+↑/↓: the explanation panel walks the transcript's wire rows. */
function moveSelection(step: -1 | 1): void {
  const count = totalRows();
  let id = selected ?? count;
  for (;;) {
    id += step;
    if (id < 0 || id >= count) return select(step > 0 ? undefined : selected);
    const row = rowById(id);
    if (row && (row.kind === 'line' || row.kind === 'body' || row.kind === 'tls')) return select(id);
  }
}

function fillPickers(welcome: Extract<ServerMessage, { t: 'welcome' }>): void {
  const target = $('target') as HTMLSelectElement;
  const options: [string, string][] = [];
  for (const name of welcome.lab) options.push([`lab:${name}`, `Lab ${name.toUpperCase()} over TCP`]);
  for (const name of ['pop3', 'smtp', 'submission']) options.push([`sandbox:${name}`, `Sandbox ${name.toUpperCase()} (in process)`]);
  for (const remote of welcome.remotes) options.push([`remote:${remote}`, `Remote ${remote}…`]);
  target.replaceChildren(...options.map(([value, label]) => new Option(label, value)));
  const lesson = $('lesson') as HTMLSelectElement;
  lesson.replaceChildren(...welcome.lessons.map((entry: LessonSummary) => new Option(`${entry.id} — ${entry.title}${entry.watchOnly ? ' (watch only)' : ''}`, entry.id)));
  if (welcome.logins.length > 0 && !welcome.resumed && envelopes.length === 0) {
    view.say(`Demo logins: ${welcome.logins.map((login) => `${login.user}/${login.password}`).join(', ')}. Try: USER alice, PASS wonderland, STAT. /help lists the meta-commands.`);
  }
}

function choice(): TargetChoice | undefined {
  const value = ($('target') as HTMLSelectElement).value;
  const [kind, rest = ''] = value.split(/:(.*)/);
  if (kind === 'lab' || kind === 'sandbox') return { kind, server: rest as 'pop3' };
  if (kind === 'remote') {
    const url = ($('remote-url') as HTMLInputElement).value.trim();
    return url ? { kind: 'remote', url } : undefined;
  }
  return undefined;
}

$('target').addEventListener('change', () => {
  const remote = ($('target') as HTMLSelectElement).value.startsWith('remote:');
  const input = $('remote-url') as HTMLInputElement;
  input.hidden = !remote;
  if (remote) input.value = `pop3://${($('target') as HTMLSelectElement).value.slice('remote:'.length)}`;
});
$('connect-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const target = choice();
  if (target) bridge.send({ v: 1, t: 'open', target });
  view.focus();
});
$('lesson-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = ($('lesson') as HTMLSelectElement).value;
  const mode = ($('lesson-mode') as HTMLSelectElement).value as 'watch';
  if (id) bridge.send({ v: 1, t: 'open', target: { kind: 'lesson', id, mode } });
  view.focus();
});
$('next').addEventListener('click', () => {
  bridge.send({ v: 1, t: 'next' });
  view.focus();
});
$('download-text').addEventListener('click', () => download('text'));
$('download-json').addEventListener('click', () => download('json'));
$('theme').addEventListener('click', toggleTheme);
$('projector').addEventListener('click', toggleProjector);

function download(kind: 'text' | 'json'): void {
  const body = kind === 'json' ? JSON.stringify(envelopes, null, 1) : segments.map((segment) => renderRows(segment.model.rows).join('\n')).join('\n\n') + '\n';
  const blob = new Blob([body], { type: kind === 'json' ? 'application/json' : 'text/plain' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `maillab-transcript.${kind === 'json' ? 'json' : 'txt'}`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function applyDisplay(): void {
  const light = document.body.classList.contains('theme-light');
  const projector = document.body.classList.contains('projector');
  $('theme').textContent = light ? 'Dark' : 'Light';
  $('theme').setAttribute('aria-pressed', String(light));
  $('projector').setAttribute('aria-pressed', String(projector));
  view.setOptions(projector ? 24 : 15, projector ? (light ? PROJECTOR_LIGHT : PROJECTOR_DARK) : light ? LIGHT : DARK);
  localStorage.setItem('maillab.display', JSON.stringify({ light, projector }));
}

function toggleTheme(): void {
  document.body.classList.toggle('theme-light');
  document.body.classList.toggle('theme-dark');
  applyDisplay();
}

function toggleProjector(): void {
  document.body.classList.toggle('projector');
  applyDisplay();
}

document.addEventListener('keydown', (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey) return;
  const actions: Record<string, () => void> = {
    ArrowUp: () => moveSelection(-1),
    ArrowDown: () => moveSelection(1),
    KeyT: toggleTheme,
    KeyP: toggleProjector,
    KeyN: () => bridge.send({ v: 1, t: 'next' }),
    KeyC: () => $('target').focus(),
    KeyL: () => $('lesson').focus(),
    KeyI: () => view.focus(),
  };
  // event.code, not event.key: Alt changes the character on some keyboards (macOS).
  const run = actions[event.code];
  if (run) {
    event.preventDefault();
    run();
  }
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && document.activeElement !== view.term.textarea) view.focus();
});

try {
  const saved = JSON.parse(localStorage.getItem('maillab.display') ?? '{}') as { light?: boolean; projector?: boolean };
  if (saved.light) document.body.classList.replace('theme-dark', 'theme-light');
  if (saved.projector) document.body.classList.add('projector');
} catch {
  // A display preference that does not parse is ignored.
}
applyDisplay();
// The terminal's size stays on the page: everything width-dependent (wrapping, folding bodies, narration) is drawn here, not by the bridge.
window.addEventListener('resize', () => view.fitNow());
panel.show(undefined);
diagram.show('pop3');
new ResizeObserver(() => view.fitNow()).observe($('terminal'));
/** For end-to-end tests and the curious: the terminal's text (a WebGL canvas has no DOM text to read). */
(window as unknown as { maillabScreen: () => string }).maillabScreen = () => {
  const buffer = view.term.buffer.active;
  const lines: string[] = [];
  for (let index = 0; index < buffer.length; index++) lines.push(buffer.getLine(index)?.translateToString(true) ?? '');
  return lines.join('\n');
};
// pagehide fires for a closed tab and a reload alike (beforeunload is not reliable on mobile, and pagehide keeps the back/forward cache).
window.addEventListener('pagehide', () => bridge.goodbye());
bridge.connect();
view.focus();
