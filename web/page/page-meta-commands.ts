/**
 * The meta-commands the classroom page completes and hints: the classroom's
 * own list from the core (/connect, /lesson, /explain … and the raw client's
 * /plain, /b64 …), with what differs in a browser: /save downloads, /sandbox
 * takes a server, and /theme and /projector change the display.
 */
import { ALL_CLASSROOM_META_COMMANDS, type MetaCommandInfo } from '../../core/browser.js';

const IN_THE_BROWSER: Record<string, Partial<MetaCommandInfo>> = {
  save: { usage: '/save', description: 'download the transcript as text (the buttons offer JSON too)' },
  sandbox: { usage: '/sandbox [pop3|smtp|submission]', description: 'switch to this tab\'s own in-process sandbox server' },
  quit: { description: 'in a browser: close the tab to leave' },
};

export const PAGE_META_COMMANDS: readonly MetaCommandInfo[] = [
  ...ALL_CLASSROOM_META_COMMANDS.map((command) => ({ ...command, ...IN_THE_BROWSER[command.name] })),
  { name: 'theme', usage: '/theme', description: 'switch between the light and the dark theme (Alt+T)' },
  { name: 'projector', usage: '/projector', description: 'large type and high contrast for a projector (Alt+P)' },
];
