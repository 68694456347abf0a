#!/usr/bin/env node
/**
 * `npm run test:load`: the suite three times in a row while a busy loop runs
 * on every core, as on a shared or slow CI machine. Builds once (the
 * end-to-end tests run the compiled dist/), starts one CPU-bound child
 * process per core, runs `vitest run` three times, stops the busy loops and
 * exits non-zero if any run failed. Each test gets half the CPU it would
 * alone, so the time bounds are doubled (MAILLAB_TEST_TIME_FACTOR=2, unless
 * set): the tests wait on conditions, and the factor only decides how long a
 * wait may take before it counts as a failure.
 *
 * Options (environment): TEST_LOAD_RUNS (default 3), TEST_LOAD_BUSY (busy
 * loops, default one per core).
 */
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.TEST_LOAD_RUNS ?? 3);
const busyCount = Number(process.env.TEST_LOAD_BUSY ?? availableParallelism());
const env = { ...process.env, MAILLAB_TEST_TIME_FACTOR: process.env.MAILLAB_TEST_TIME_FACTOR ?? '2' };
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function step(args) {
  const result = spawnSync(npx, args, { cwd: root, env, stdio: 'inherit' });
  return result.status === 0;
}

if (!step(['tsc', '-p', 'tsconfig.json'])) process.exit(1);

// The competitors: one spinning process per core, stopped however this script ends.
const busy = Array.from({ length: busyCount }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopBusy = () => {
  for (const child of busy) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
process.on('exit', stopBusy);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopBusy();
    process.exit(130);
  });
}
console.log(`test:load: ${busyCount} busy loop(s) running; MAILLAB_TEST_TIME_FACTOR=${env.MAILLAB_TEST_TIME_FACTOR}; the suite ${runs} times in a row`);

const outcomes = [];
for (let run = 1; run <= runs; run++) {
  const started = Date.now();
  const passed = step(['vitest', 'run']);
  const seconds = Math.round((Date.now() - started) / 1000);
  outcomes.push(`run ${run}: ${passed ? 'passed' : 'FAILED'} in ${seconds} s`);
  console.log(`test:load: ${outcomes.at(-1)}`);
  if (!passed) break;
}
stopBusy();
console.log(`test:load: ${outcomes.join('; ')}`);
process.exit(outcomes.length === runs && outcomes.every((line) => line.includes('passed')) ? 0 : 1);
