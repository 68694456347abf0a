// Starts the compiled maillab lab in a child process (so its CPU and memory are
// its own, like a peer server's) and talks to it over IPC.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * @param {object} config LabConfig fields over the defaults (dataDir, ports, limits)
 * @param {{ execArgv?: string[] }} options extra node flags, e.g. --cpu-prof
 */
export async function startLabProcess(config, options = {}) {
  const child = fork(fileURLToPath(new URL('./lab-process.mjs', import.meta.url)), [], {
    execArgv: ['--expose-gc', ...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (kind) => new Promise((resolve, reject) => {
    const onMessage = (message) => {
      if (message.kind !== kind) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code) => reject(new Error(`the lab process exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  const started = next('started');
  child.send({ kind: 'start', config });
  const { listeners } = await started;
  const port = (name) => listeners.find((listener) => listener.name === name)?.port;
  return {
    pid: child.pid,
    port,
    /** process.memoryUsage() of the lab, after a full GC unless `gc` is false. */
    async memory(gc = true) {
      const reply = next('memory');
      child.send({ kind: 'memory', gc });
      return (await reply).usage;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ kind: 'stop' });
      await exited;
    },
  };
}

/** Every listener off except those named; no greeting delay; limits raised for load. */
export function benchLabConfig(dataDir, listeners, extra = {}) {
  const off = { pop3Port: null, pop3sPort: null, smtpPort: null, submissionPort: null, smtpsPort: null };
  for (const name of listeners) off[`${name}Port`] = 0;
  return {
    dataDir,
    ...off,
    greetingDelayMs: 0,
    maxConnections: 5000,
    maxConnectionsPerAddress: 5000,
    runQueue: false,
    authFailureDelay: () => 0,
    ...extra,
  };
}
