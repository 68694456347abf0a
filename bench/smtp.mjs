// SMTP ingest with Postfix's smtp-source against maillab's MTA listener (durable
// Maildir delivery), nodemailer's smtp-server writing each message to a file (as is,
// and with an fsync per file), and Postfix's smtp-sink (accepts and discards: the
// ceiling), side by side; plus maillab with its Maildir on tmpfs (/dev/shm, where
// fsync costs nothing: what the protocol and store code cost) and the disk's own
// limit for durable writes.
// Run: npm run bench:smtp [-- --sessions 20 --messages 2000 --size 4096 --runs 3 --label current --profile DIR]
// A benchmark, not a test: it prints a table and records it in bench/RESULTS.md.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fsyncCeiling } from './lib/fsync-ceiling.mjs';
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

function labData(parent) {
  const dataDir = join(mkdtempSync(join(parent, 'maillab-bench-smtp-')), 'data');
  mkdirSync(join(dataDir, 'mail'), { recursive: true });
  writeFileSync(join(dataDir, 'users'), 'alice:bench\n');
  return dataDir;
}

async function startNodemailer(folder, durability) {
  mkdirSync(folder);
  const port = await freePort();
  return startChild(process.execPath, [fileURLToPath(new URL('./lib/nodemailer-sink.mjs', import.meta.url)), String(port), folder, durability], port);
}

const TMPFS = '/dev/shm';
const root = mkdtempSync(join(tmpdir(), 'maillab-bench-smtp-'));
const dataDir = labData(root);
const tmpfsData = existsSync(TMPFS) ? labData(TMPFS) : undefined;

const profileArgs = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${opts.profile}`] : [];
const lab = await startLabProcess(benchLabConfig(dataDir, ['smtp']), { execArgv: profileArgs });
const tmpfsLab = tmpfsData ? await startLabProcess(benchLabConfig(tmpfsData, ['smtp'])) : undefined;
const nodemailer = await startNodemailer(join(root, 'nodemailer'), 'plain');
const nodemailerSync = await startNodemailer(join(root, 'nodemailer-fsync'), 'fsync');
const sinkPort = await freePort();
const sink = await startChild(SMTP_SINK, ['-u', 'mail', `127.0.0.1:${sinkPort}`, '256'], sinkPort);
const servers = [
  { name: 'maillab', port: lab.port('smtp') },
  ...(tmpfsLab ? [{ name: 'maillab-tmpfs', port: tmpfsLab.port('smtp') }] : []),
  { name: 'nodemailer', port: nodemailer.port },
  { name: 'nodemailer-fsync', port: nodemailerSync.port },
  { name: 'smtp-sink', port: sink.port },
];

const rates = Object.fromEntries(servers.map(({ name }) => [name, []]));
let ceiling;
const kib = (bytes) => `${Math.round(bytes / 1024)} KiB`;
let memory;
try {
  const base = await lab.memory();
  for (const server of servers) await smtpSource(server.port); // warm-up
  const ceilings = [];
  for (let r = 0; r < opts.runs; r++) {
    for (const server of servers) {
      const seconds = await smtpSource(server.port);
      rates[server.name].push(opts.messages / seconds);
      console.log(`${server.name}: ${opts.messages} messages in ${seconds.toFixed(3)} s = ${Math.round(opts.messages / seconds)} msgs/s`);
    }
    // The disk's own ceiling in the same round: the disk is shared, and its speed changes from minute to minute.
    ceilings.push(await fsyncCeiling(root, { writers: opts.sessions, size: opts.size, total: opts.messages }));
    console.log(`disk alone: ${Math.round(ceilings.at(-1))} durable writes/s`);
  }
  ceiling = median(ceilings);
  const afterBurst = await lab.memory(false);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const settled = await lab.memory();
  memory = { base, afterBurst, settled };
  const delivered = readdirSync(join(dataDir, 'mail', 'alice', 'new')).length;
  const expected = opts.messages * (opts.runs + 1);
  if (delivered !== expected) throw new Error(`maillab stored ${delivered} messages, expected ${expected}`);
} finally {
  await lab.stop();
  await tmpfsLab?.stop();
  await nodemailer.stop();
  await nodemailerSync.stop();
  await sink.stop();
  rmSync(root, { recursive: true, force: true });
  if (tmpfsData) rmSync(join(tmpfsData, '..'), { recursive: true, force: true });
}

const m = median(rates.maillab), n = median(rates.nodemailer), ns = median(rates['nodemailer-fsync']), s = median(rates['smtp-sink']);
const rows = [
  ['maillab MTA listener (fsync into new/ before each 250)', `${Math.round(m)}`, '—'],
  ['nodemailer smtp-server, each message written to a file (no fsync)', `${Math.round(n)}`, `maillab ÷ this = ${(m / n).toFixed(2)}× (target ≥ 1.00×)`],
  ['nodemailer smtp-server, each file fsynced before the 250', `${Math.round(ns)}`, `maillab ÷ this = ${(m / ns).toFixed(2)}×`],
  ['Postfix smtp-sink (no storage)', `${Math.round(s)}`, `maillab ÷ this = ${(m / s).toFixed(2)}× (target ≥ 0.50×)`],
  ['the disk alone: maillab\'s delivery steps (write, fsync, rename, group-committed directory sync) by as many writers, no SMTP', `${Math.round(ceiling)}`, `maillab ÷ this = ${(m / ceiling).toFixed(2)}×`],
];
if (rates['maillab-tmpfs']) {
  const t = median(rates['maillab-tmpfs']);
  rows.splice(1, 0, ['maillab MTA listener, Maildir on tmpfs (fsync costs nothing)', `${Math.round(t)}`, `÷ nodemailer = ${(t / n).toFixed(2)}×, ÷ smtp-sink = ${(t / s).toFixed(2)}×`]);
}
const memoryRows = [
  ['RSS at start (after GC)', kib(memory.base.rss)],
  ['RSS right after the last burst', kib(memory.afterBurst.rss)],
  ['RSS 2 s later, after GC', kib(memory.settled.rss)],
  ['heap used: start → after burst → settled', `${kib(memory.base.heapUsed)} → ${kib(memory.afterBurst.heapUsed)} → ${kib(memory.settled.heapUsed)}`],
  // Where RSS is held: V8's heap as reserved (its young generation grows under load), and buffers outside it.
  ['heap total (V8 reserved): start → after burst → settled', `${kib(memory.base.heapTotal)} → ${kib(memory.afterBurst.heapTotal)} → ${kib(memory.settled.heapTotal)}`],
  ['array buffers (message bytes): start → after burst → settled', `${kib(memory.base.arrayBuffers)} → ${kib(memory.afterBurst.arrayBuffers)} → ${kib(memory.settled.arrayBuffers)}`],
];
record(`bench:smtp:${opts.label}`, `SMTP ingest (${opts.label})`, {
  command: commandLine('bench/smtp.mjs'),
  body: [
    `\`smtp-source -s ${opts.sessions} -m ${opts.messages} -l ${opts.size} -d\` to one local user, timed from start to exit; medians of ${opts.runs} runs after one warm-up each, servers alternating. maillab with no greeting delay (the lab default of 200 ms would be paid once per connection). Each maillab message is fsynced, renamed into new/ and covered by a directory sync before its 250; nodemailer's peer writes files without (and, in its second row, with) an fsync.`,
    '',
    table(['server', 'messages/s', 'ratio'], rows),
    '',
    'maillab process memory over the whole benchmark:',
    '',
    table(['when', 'value'], memoryRows),
  ].join('\n'),
});
