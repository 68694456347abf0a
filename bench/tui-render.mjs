// The TUI's rendering cost (not a test): time to the first frame, and appending
// 10,000 transcript lines (5,000 NOOP exchanges in the sandbox) with the frame
// redrawn as they come. Run after `npm run build`: node bench/tui-render.mjs
import { createElement } from 'react';
import { render } from 'ink-testing-library';
import { Sandbox } from '../dist/core/sandbox/sandbox.js';
import { ClassroomController } from '../dist/tui/classroom-controller.js';
import { App } from '../dist/tui/components/App.js';
import { createTheme } from '../dist/tui/helpers/theme.js';

const now = () => performance.now();
const tick = () => new Promise((resolve) => setImmediate(resolve));

const started = now();
const sandbox = new Sandbox();
const controller = new ClassroomController({ sandbox, onExit: () => {} });
await controller.open({ kind: 'sandbox', server: 'pop3' });
const view = render(createElement(App, { controller, theme: createTheme({}), logins: sandbox.logins }));
const firstFrame = now() - started;

const session = controller.session;
await session.submit(['USER alice']);
await session.submit(['PASS wonderland']);
const appendStart = now();
let frames = 0;
for (let i = 0; i < 5000; i++) {
  await session.submit(['NOOP']);
  if (i % 50 === 0) {
    await tick();
    frames++;
  }
}
await tick();
const appendMs = now() - appendStart;
const frameStart = now();
view.rerender(createElement(App, { controller, theme: createTheme({}), logins: sandbox.logins }));
const oneFrame = now() - frameStart;
const rows = controller.model.rows.length;
view.unmount();

const lines = [
  `first frame (sandbox open + Ink render): ${firstFrame.toFixed(1)} ms`,
  `append ${rows} transcript rows (5,000 NOOP exchanges through the sandbox, ${frames} redraws on the way): ${appendMs.toFixed(0)} ms (${(appendMs / rows * 1000).toFixed(1)} µs a row)`,
  `one full frame with ${rows} rows in the transcript: ${oneFrame.toFixed(1)} ms`,
];
console.log(lines.join('\n'));
