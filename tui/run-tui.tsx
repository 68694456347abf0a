/**
 * Starts the terminal classroom on a TTY: the sandbox (or the server or
 * lesson asked for), history from the user's config folder, Ink on the
 * alternate screen so the terminal is as it was after leaving.
 */
import { render } from 'ink';
import { Sandbox } from '../core/sandbox/sandbox.js';
import type { ClassroomTarget } from '../core/classroom/classroom-session.js';
import { ClassroomController } from './classroom-controller.js';
import { App } from './components/App.js';
import { createTheme } from './helpers/theme.js';
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
  process.stdout.write(ALTERNATE_SCREEN);
  const instance = render(<App controller={controller} theme={createTheme(process.env)} logins={sandbox.logins} />, {
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const code = await left;
  instance.unmount();
  await controller.close();
  process.stdout.write(NORMAL_SCREEN);
  return code;
}
