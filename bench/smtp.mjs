// SMTP ingest with Postfix's smtp-source against maillab's MTA listener (durable
// Maildir delivery), nodemailer's smtp-server writing each message to a file, and
// Postfix's smtp-sink (accepts and discards: the ceiling), side by side.
// Run: npm run bench:smtp [-- --sessions 20 --messages 2000 --size 4096 --runs 3 --label current --profile DIR]
// A benchmark, not a test: it prints a table and records it in bench/RESULTS.md.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { benchLabConfig, startLabProcess } from './lib/lab.mjs';
import { freePort, waitForPort } from './lib/ports.mjs';
import { commandLine, median, options, record, table } from './lib/results.mjs';

const opts = options({ sessions: 20, messages: 2000, size: 4096, runs: 3, label: 'current', profile: '' });
const SMTP_SOURCE = '/usr/sbin/smtp-source';
const SMTP_SINK = '/usr/sbin/smtp-sink';
const run = promisify(execFile);

/** Seconds smtp-source takes to send `messages` messages over `sessions` connections (-d: several per connection). */
async function smtpSource(port) {
  const start = process.hrtime.bigint();
  await run(SMTP_SOURCE, ['-s', String(opts.sessions), '-m', String(opts.messages), '-l', String(opts.size), '-d', '-f', 'bench@bench.test', '-t', 'alice@maillab.test', `inet:127.0.0.1:${port}`]);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function startChild(command, args, port) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  await waitForPort(port, () => output, child);
  return {
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const root = mkdtempSync(join(tmpdir(), 'maillab-bench-smtp-'));
const dataDir = join(root, 'data');
mkdirSync(join(dataDir, 'mail'), { recursive: true });
writeFileSync(join(dataDir, 'users'), 'alice:bench\n');
const files = join(root, 'nodemailer');
mkdirSync(files);

const profileArgs = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${opts.profile}`] : [];
const lab = await startLabProcess(benchLabConfig(dataDir, ['smtp']), { execArgv: profileArgs });
const nodemailerPort = await freePort();
const nodemailer = await startChild(process.execPath, [fileURLToPath(new URL('./lib/nodemailer-sink.mjs', import.meta.url)), String(nodemailerPort), files], nodemailerPort);
const sinkPort = await freePort();
const sink = await startChild(SMTP_SINK, ['-u', 'mail', `127.0.0.1:${sinkPort}`, '256'], sinkPort);
const servers = [
  { name: 'maillab', port: lab.port('smtp') },
  { name: 'nodemailer', port: nodemailer.port },
  { name: 'smtp-sink', port: sink.port },
];

const rates = { maillab: [], nodemailer: [], 'smtp-sink': [] };
const kib = (bytes) => `${Math.round(bytes / 1024)} KiB`;
let memory;
try {
  const base = await lab.memory();
  for (const server of servers) await smtpSource(server.port); // warm-up
  for (let r = 0; r < opts.runs; r++) {
    for (const server of servers) {
      const seconds = await smtpSource(server.port);
      rates[server.name].push(opts.messages / seconds);
      console.log(`${server.name}: ${opts.messages} messages in ${seconds.toFixed(3)} s = ${Math.round(opts.messages / seconds)} msgs/s`);
    }
  }
  const afterBurst = await lab.memory(false);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const settled = await lab.memory();
  memory = { base, afterBurst, settled };
  const delivered = readdirSync(join(dataDir, 'mail', 'alice', 'new')).length;
  const expected = opts.messages * (opts.runs + 1);
  if (delivered !== expected) throw new Error(`maillab stored ${delivered} messages, expected ${expected}`);
} finally {
  await lab.stop();
  await nodemailer.stop();
  await sink.stop();
  rmSync(root, { recursive: true, force: true });
}

const m = median(rates.maillab), n = median(rates.nodemailer), s = median(rates['smtp-sink']);
const rows = [
  ['maillab MTA listener (fsync into new/ before each 250)', `${Math.round(m)}`, '—'],
  ['nodemailer smtp-server, each message written to a file (no fsync)', `${Math.round(n)}`, `maillab ÷ this = ${(m / n).toFixed(2)}× (target ≥ 1.00×)`],
  ['Postfix smtp-sink (no storage)', `${Math.round(s)}`, `maillab ÷ this = ${(m / s).toFixed(2)}× (target ≥ 0.50×)`],
];
const memoryRows = [
  ['RSS at start (after GC)', kib(memory.base.rss)],
  ['RSS right after the last burst', kib(memory.afterBurst.rss)],
  ['RSS 2 s later, after GC', kib(memory.settled.rss)],
  ['heap used: start → after burst → settled', `${kib(memory.base.heapUsed)} → ${kib(memory.afterBurst.heapUsed)} → ${kib(memory.settled.heapUsed)}`],
];
record(`bench:smtp:${opts.label}`, `SMTP ingest (${opts.label})`, {
  command: commandLine('bench/smtp.mjs'),
  body: [
    `\`smtp-source -s ${opts.sessions} -m ${opts.messages} -l ${opts.size} -d\` to one local user, timed from start to exit; medians of ${opts.runs} runs after one warm-up each, servers alternating. maillab with no greeting delay (the lab default of 200 ms would be paid once per connection).`,
    '',
    table(['server', 'messages/s', 'ratio'], rows),
    '',
    'maillab process memory over the whole benchmark:',
    '',
    table(['when', 'value'], memoryRows),
  ].join('\n'),
});
