// The maillab lab in its own process, as `maillab serve` runs it, for the benchmarks.
// Started by lab.mjs with fork(); the parent sends the lab configuration and may
// ask for memory figures (after a full GC: the process runs with --expose-gc).
import { startLab, DEFAULT_LAB_CONFIG } from '../../dist/core/lab/lab-server.js';

let lab;
process.on('message', async (message) => {
  if (message.kind === 'start') {
    lab = await startLab({ ...DEFAULT_LAB_CONFIG, ...message.config });
    process.send({ kind: 'started', listeners: lab.listeners.map(({ name, port }) => ({ name, port })) });
  } else if (message.kind === 'memory') {
    if (message.gc) for (let i = 0; i < 3; i++) globalThis.gc?.();
    process.send({ kind: 'memory', usage: process.memoryUsage() });
  } else if (message.kind === 'stop') {
    await lab?.close();
    process.exit(0);
  }
});
