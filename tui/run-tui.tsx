/**
 * Starts the terminal classroom on a TTY: the sandbox (or the server or
 * lesson asked for), history from the user's config folder, Ink on the
 * alternate screen so the terminal is as it was after leaving.
 */
import { writeSync } from 'node:fs';
import { render } from 'ink';
import { Sandbox } from '../core/sandbox/sandbox.js';
import type { ClassroomTarget } from '../core/classroom/classroom-session.js';
import { ClassroomController } from './classroom-controller.js';
import { App } from './components/App.js';
import { createTheme } from './helpers/theme.js';
import { MOUSE_REPORTING_OFF, MOUSE_REPORTING_ON } from './helpers/ui-keys.js';
import { FileHistory, historyPath } from './history-file.js';

export interface TuiOptions {
  target: ClassroomTarget;
  lessonsDir?: string;
  replyTimeoutMs: number;
}

const ALTERNATE_SCREEN = '\x1b[?1049h';
const NORMAL_SCREEN = '\x1b[?1049l';

/** Runs until the learner leaves; resolves with the exit status. */
export async function runTui(options: TuiOptions): Promise<number> {
  const sandbox = new Sandbox({ clock: Date.now });
  const history = new FileHistory(historyPath());
  let leave: (code: number) => void = () => {};
  const left = new Promise<number>((resolve) => (leave = resolve));
  const controller = new ClassroomController({
    sandbox,
    history,
    firstRun: history.firstRun,
    replyTimeoutMs: options.replyTimeoutMs,
    ...(options.lessonsDir ? { lessonsDir: options.lessonsDir } : {}),
    onExit: (code) => leave(code),
  });
  const opened = await controller.open(options.target);
  if (!opened) {
    process.stderr.write(`maillab: ${controller.flash ?? 'cannot open the session'}\n`);
    return 1;
  }
  // The mouse wheel moves the selection; the terminal gets its own mouse back on leaving, even by a crash.
  // (While reporting is on, most terminals select text with Shift held.)
  const restore = () => writeSync(process.stdout.fd, MOUSE_REPORTING_OFF + NORMAL_SCREEN);
  process.once('exit', restore);
  process.stdout.write(ALTERNATE_SCREEN + MOUSE_REPORTING_ON);
  const instance = render(<App controller={controller} theme={createTheme(process.env)} logins={sandbox.logins} />, {
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const code = await left;
  instance.unmount();
  await controller.close();
  process.off('exit', restore);
  process.stdout.write(MOUSE_REPORTING_OFF + NORMAL_SCREEN);
  return code;
}
