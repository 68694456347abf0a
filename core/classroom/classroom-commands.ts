/**
 * The classroom's meta-commands as data (never sent on the wire): the raw
 * client's own (/plain, /b64, /decode …, core/client/meta-command-list.ts)
 * plus what a classroom front end does (/connect, /lesson, /explain …), and
 * the parse of one typed line into what the front end or the session does.
 * Pure and browser-safe, so the web page completes from the same list. The
 * TUI parses with `parseClassroomCommand`; the web bridge still has its own
 * parse (web/server/web-server.ts, `metaCommand`).
 */
import type { MetaCommandInfo } from '../client/meta-command-list.js';
import { META_COMMANDS } from '../client/meta-command-list.js';
import type { AnnotationsLevel } from '../models/transcript.js';
import { parseConnectArgument, type ClassroomTarget, type LessonPlayMode } from './target.js';

/** What a classroom front end adds to the raw client's meta-commands. */
export const CLASSROOM_META_COMMANDS: readonly MetaCommandInfo[] = [
  { name: 'help', usage: '/help', description: 'this list' },
  { name: 'connect', usage: '/connect pop3|smtp|submission|URL', description: 'switch to a sandbox server, or a real one (pop3://host:port, smtps://…; --starttls, --insecure)' },
  { name: 'sandbox', usage: '/sandbox', description: 'back to the sandbox POP3 server (demo users, no network)' },
  { name: 'lesson', usage: '/lesson ID [watch|step|practice]', description: 'play a lesson (default: step); `maillab lesson list` shows the ids' },
  { name: 'next', usage: '/next', description: 'lessons in watch or step mode: the next step' },
  { name: 'hint', usage: '/hint', description: 'practising a lesson: what the next line does' },
  { name: 'reveal', usage: '/reveal', description: 'practising a lesson: show the next line' },
  { name: 'explain', usage: '/explain THING', description: 'the catalogue entry of a command, reply code, enhanced code, keyword or state' },
  { name: 'save', usage: '/save FILE', description: 'save the transcript as FILE (text) and FILE.json (events)' },
  { name: 'clear', usage: '/clear', description: 'clear the screen (the transcript is kept for /save)' },
  { name: 'annotations', usage: '/annotations full|brief|off', description: 'how much explanation follows each line' },
  { name: 'quit', usage: '/quit', description: 'leave (the connection is closed without QUIT)' },
];

/** Every meta-command a classroom understands: its own first, then the raw client's helpers. */
export const ALL_CLASSROOM_META_COMMANDS: readonly MetaCommandInfo[] = [
  ...CLASSROOM_META_COMMANDS,
  ...META_COMMANDS.filter((command) => !CLASSROOM_META_COMMANDS.some((own) => own.name === command.name)),
];

export const CLASSROOM_HELP = [
  'meta-commands (run here, never sent to the server):',
  ...ALL_CLASSROOM_META_COMMANDS.map((command) => `  ${command.usage.padEnd(34)} ${command.description}`),
].join('\n');

/** What a typed meta-command line asks for. */
export type ClassroomCommand =
  | { kind: 'open'; target: ClassroomTarget }
  | { kind: 'save'; path: string }
  | { kind: 'clear' }
  | { kind: 'annotations'; level: AnnotationsLevel }
  | { kind: 'quit' }
  /** The session runs it (ClassroomSession.meta): /help, /explain, /next, /hint, /plain … */
  | { kind: 'session'; line: string }
  | { kind: 'error'; message: string };

/** Parses one meta-command line; what the front end does itself comes out as its own kind. */
export function parseClassroomCommand(line: string, lessonsDir?: string): ClassroomCommand {
  const match = /^\/(\S+)\s*(.*)$/.exec(line.trim());
  const name = match?.[1]?.toLowerCase() ?? '';
  const rest = match?.[2]?.trim() ?? '';
  switch (name) {
    case 'connect': {
      const parsed = parseConnectArgument(rest);
      return parsed.ok ? { kind: 'open', target: parsed.target } : { kind: 'error', message: parsed.reason };
    }
    case 'sandbox':
      return { kind: 'open', target: { kind: 'sandbox', server: 'pop3' } };
    case 'lesson': {
      const [id, mode = 'step'] = rest.split(/\s+/).map((word) => word.replace(/^--/, ''));
      if (!id) return { kind: 'error', message: 'usage: /lesson ID [watch|step|practice]' };
      if (mode !== 'watch' && mode !== 'step' && mode !== 'practice') return { kind: 'error', message: `unknown lesson mode ${mode}: watch, step or practice` };
      return { kind: 'open', target: { kind: 'lesson', id, mode: mode as LessonPlayMode, ...(lessonsDir ? { dir: lessonsDir } : {}) } };
    }
    case 'save':
      return rest === '' ? { kind: 'error', message: 'usage: /save FILE' } : { kind: 'save', path: rest };
    case 'clear':
      return { kind: 'clear' };
    case 'annotations':
      return rest === 'full' || rest === 'brief' || rest === 'off' ? { kind: 'annotations', level: rest } : { kind: 'error', message: 'usage: /annotations full|brief|off' };
    case 'quit':
      return { kind: 'quit' };
    default:
      return { kind: 'session', line };
  }
}
