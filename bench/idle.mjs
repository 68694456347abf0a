// Idle sessions: memory per idle session and the NOOP round trip (p50/p99) while
// 1,000 sessions sit idle, for POP3 (logged in, TRANSACTION) and SMTP (after EHLO).
// Run: npm run bench:idle [-- --sessions 1000 --probes 2000 --label current]
// A benchmark, not a test: it prints a table and records it in bench/RESULTS.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchLabConfig, startLabProcess } from './lib/lab.mjs';
import { commandLine, median, options, percentile, record, table } from './lib/results.mjs';

const opts = options({ sessions: 1000, probes: 2000, label: 'current' });

/** A client connection that reads replies: `reply(done)` resolves with the text once `done(text)` says it is complete. */
function open(port) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let waiting;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (waiting && waiting.done(text)) {
        const got = text;
        text = '';
        const { resolve: settle } = waiting;
        waiting = undefined;
        settle(got);
      }
    });
    socket.once('error', reject);
    const client = {
      socket,
      reply(done) {
        return new Promise((settle) => {
          if (done(text)) {
            const got = text;
            text = '';
            settle(got);
          } else waiting = { done, resolve: settle };
        });
      },
      async send(line, done) {
        const answer = client.reply(done);
        socket.write(`${line}\r\n`);
        return answer;
      },
    };
    socket.once('connect', () => resolve(client));
  });
}

const pop3Line = (text) => text.endsWith('\r\n');
/** An SMTP reply is complete at a line "NNN " (not "NNN-"). */
const smtpReply = (text) => /(^|\r\n)\d{3} [^\r\n]*\r\n$/.test(text);

const protocols = {
  pop3: {
    async login(port, i) {
      const client = await open(port);
      await client.reply(pop3Line);
      await client.send(`USER u${i}`, pop3Line);
      const answer = await client.send('PASS bench', pop3Line);
      if (!answer.startsWith('+OK')) throw new Error(`PASS for u${i}: ${answer}`);
      return client;
    },
    noop: (client) => client.send('NOOP', pop3Line),
  },
  smtp: {
    async login(port) {
      const client = await open(port);
      await client.reply(smtpReply);
      await client.send('EHLO bench.test', smtpReply);
      return client;
    },
    noop: (client) => client.send('NOOP', smtpReply),
  },
};

const root = mkdtempSync(join(tmpdir(), 'maillab-bench-idle-'));
const dataDir = join(root, 'data');
mkdirSync(join(dataDir, 'mail'), { recursive: true });
writeFileSync(join(dataDir, 'users'), Array.from({ length: opts.sessions }, (_, i) => `u${i}:bench\n`).join(''));
const lab = await startLabProcess(benchLabConfig(dataDir, ['pop3', 'smtp']));
const rows = [];
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (value) => `${value.toFixed(3)} ms`;
try {
  for (const [name, protocol] of Object.entries(protocols)) {
    const port = lab.port(name);
    // Warm the code paths before the base figure.
    const warm = await protocol.login(port, 0);
    for (let i = 0; i < 200; i++) await protocol.noop(warm);
    warm.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const base = await lab.memory();
    const clients = [];
    for (let i = 0; i < opts.sessions; i += 50) {
      clients.push(...(await Promise.all(Array.from({ length: Math.min(50, opts.sessions - i) }, (_, j) => protocol.login(port, i + j)))));
    }
    const loaded = await lab.memory();
    const times = [];
    for (let k = 0; k < opts.probes; k++) {
      const client = clients[(k * 7919) % clients.length];
      const start = process.hrtime.bigint();
      await protocol.noop(client);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    for (const client of clients) client.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const label = name === 'pop3' ? 'POP3 (TRANSACTION, empty maildrop)' : 'SMTP (after EHLO)';
    rows.push([label, kib((loaded.rss - base.rss) / opts.sessions), kib((loaded.heapUsed + loaded.external - base.heapUsed - base.external) / opts.sessions), ms(median(times)), ms(percentile(times, 99))]);
    console.log(rows.at(-1).join('  '));
  }
} finally {
  await lab.stop();
  rmSync(root, { recursive: true, force: true });
}

record(`bench:idle:${opts.label}`, `Idle sessions (${opts.label})`, {
  command: commandLine('bench/idle.mjs'),
  body: [
    `${opts.sessions} idle sessions held open by one client process; memory is the lab process's growth after a full GC, divided by the sessions (target under 50 KB); then ${opts.probes} NOOPs, one at a time, spread over the idle sessions (target p50 < 1 ms, p99 < 5 ms).`,
    '',
    table(['sessions', 'RSS per session', 'JS heap + external per session', 'NOOP p50', 'NOOP p99'], rows),
  ].join('\n'),
});
