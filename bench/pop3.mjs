// POP3 full retrieval, maillab against Dovecot on the same Maildir, side by side.
// Run: npm run bench:pop3 [-- --sizes 2000,10000 --runs 3 --warmup 3 --concurrent 50 --per-session 200 --label current --profile DIR]
// A benchmark, not a test: it prints a table and records it in bench/RESULTS.md.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startDovecot, mailIds } from './lib/dovecot.mjs';
import { fillMaildir } from './lib/fixtures.mjs';
import { benchLabConfig, startLabProcess } from './lib/lab.mjs';
import { commandLine, median, options, record, table } from './lib/results.mjs';

const opts = options({ sizes: '2000,10000', runs: 3, warmup: 3, concurrent: 50, perSession: 200, label: 'current', profile: '' });
const client = fileURLToPath(new URL('./lib/pop3_client.py', import.meta.url));
const PYTHON = process.env.PYTHON ?? 'python3';
const PASSWORD = 'bench';
const run = promisify(execFile);

async function poplib(port, user, sessions) {
  const args = [client, String(port), user, PASSWORD, ...(sessions ? [String(sessions)] : [])];
  const { stdout } = await run(PYTHON, args, { maxBuffer: 1 << 24 });
  return JSON.parse(stdout);
}

const root = mkdtempSync(join(tmpdir(), 'maillab-bench-pop3-'));
chmodSync(root, 0o755); // Dovecot's mail user must traverse it (PEERS.md)
const dataDir = join(root, 'data');
const mailRoot = join(dataDir, 'mail');
mkdirSync(mailRoot, { recursive: true });
const owner = mailIds();
const sizes = String(opts.sizes).split(',').filter(Boolean).map(Number);
const users = {};
console.log(`filling Maildirs in ${mailRoot} ...`);
const octets = {};
for (const size of sizes) {
  users[`big${size}`] = PASSWORD;
  octets[size] = fillMaildir(mailRoot, `big${size}`, size, size, owner);
}
for (let i = 0; i < opts.concurrent; i++) {
  users[`c${i}`] = PASSWORD;
  fillMaildir(mailRoot, `c${i}`, opts.perSession, 1000 + i, owner);
}
writeFileSync(join(dataDir, 'users'), Object.entries(users).map(([user, secret]) => `${user}:${secret}`).join('\n') + '\n');
chmodSync(mailRoot, 0o755);

const profileArgs = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${opts.profile}`] : [];
const lab = await startLabProcess(benchLabConfig(dataDir, ['pop3']), { execArgv: profileArgs });
const dovecot = await startDovecot(mailRoot, users);
const servers = [
  { name: 'maillab', port: lab.port('pop3') },
  { name: 'Dovecot', port: dovecot.port },
];

const rows = [];
const fmt = (seconds) => `${seconds.toFixed(3)} s`;
try {
  for (const size of sizes) {
    const times = { maillab: [], Dovecot: [] };
    const logins = { maillab: [], Dovecot: [] };
    // Warm-up sessions, not counted: the first flags every message seen (new/ → cur/ for both servers) and fills
    // the caches; the next ones let V8 optimise maillab's code (its first sessions after a start run slower,
    // bench/RESULTS.md shows by how much).
    const firsts = { maillab: [], Dovecot: [] };
    for (let w = 0; w < opts.warmup; w++) {
      for (const server of servers) {
        const result = await poplib(server.port, `big${size}`);
        firsts[server.name].push(result.total);
      }
    }
    console.log(`${size} messages, warm-up sessions: maillab ${firsts.maillab.map(fmt).join(', ')}; Dovecot ${firsts.Dovecot.map(fmt).join(', ')}`);
    for (let r = 0; r < opts.runs; r++) {
      for (const server of servers) {
        const result = await poplib(server.port, `big${size}`);
        if (result.messages !== size || result.octets !== octets[size]) throw new Error(`${server.name} served ${result.messages} messages / ${result.octets} octets, expected ${size} / ${octets[size]}`);
        times[server.name].push(result.total);
        logins[server.name].push(result.login);
        console.log(`${size} messages, ${server.name}: ${fmt(result.total)} (login ${fmt(result.login)})`);
      }
    }
    const m = median(times.maillab), d = median(times.Dovecot);
    rows.push([`full retrieval, ${size} messages (${(octets[size] / 2 ** 20).toFixed(1)} MiB)`, fmt(m), fmt(d), `${(m / d).toFixed(2)}×`]);
    const ml = median(logins.maillab), dl = median(logins.Dovecot);
    rows.push([`PASS (login) on ${size} messages`, fmt(ml), fmt(dl), `${(ml / dl).toFixed(2)}×`]);
  }
  if (opts.concurrent > 0) {
    const perSession = { maillab: [], Dovecot: [] };
    const walls = { maillab: [], Dovecot: [] };
    // How the sessions' times spread: one process per session (Dovecot) lets the kernel finish some early
    // and others late; one event loop serving all (maillab) moves them forward together.
    const fastest = { maillab: [], Dovecot: [] };
    const slowest = { maillab: [], Dovecot: [] };
    for (const server of servers) await poplib(server.port, 'c', opts.concurrent);
    for (let r = 0; r < opts.runs; r++) {
      for (const server of servers) {
        const result = await poplib(server.port, 'c', opts.concurrent);
        const mean = result.sessions.reduce((total, s) => total + s.total, 0) / result.sessions.length;
        perSession[server.name].push(mean);
        walls[server.name].push(result.wall);
        const totals = result.sessions.map((s) => s.total);
        fastest[server.name].push(Math.min(...totals));
        slowest[server.name].push(Math.max(...totals));
        console.log(`${opts.concurrent} concurrent sessions, ${server.name}: wall ${fmt(result.wall)}, mean per session ${fmt(mean)}, fastest ${fmt(Math.min(...totals))}, slowest ${fmt(Math.max(...totals))}`);
      }
    }
    const m = median(perSession.maillab), d = median(perSession.Dovecot);
    rows.push([`${opts.concurrent} concurrent sessions × ${opts.perSession} messages: mean time per session`, fmt(m), fmt(d), `${(m / d).toFixed(2)}×`]);
    const mw = median(walls.maillab), dw = median(walls.Dovecot);
    rows.push([`${opts.concurrent} concurrent sessions: wall time for all`, fmt(mw), fmt(dw), `${(mw / dw).toFixed(2)}×`]);
    const mf = median(fastest.maillab), df = median(fastest.Dovecot);
    rows.push([`${opts.concurrent} concurrent sessions: fastest session`, fmt(mf), fmt(df), `${(mf / df).toFixed(2)}×`]);
    const ms = median(slowest.maillab), ds = median(slowest.Dovecot);
    rows.push([`${opts.concurrent} concurrent sessions: slowest session`, fmt(ms), fmt(ds), `${(ms / ds).toFixed(2)}×`]);
  }
} finally {
  await lab.stop();
  await dovecot.stop();
  rmSync(root, { recursive: true, force: true });
}

record(`bench:pop3:${opts.label}`, `POP3 full retrieval (${opts.label})`, {
  command: commandLine('bench/pop3.mjs'),
  body: [
    `Python poplib, one session at a time: USER, PASS, STAT, UIDL, LIST, RETR of every message, QUIT; medians of ${opts.runs} runs after ${opts.warmup} warm-up sessions each (the first moves new/ to cur/; the others let V8 optimise maillab's code), servers alternating. Mixed sizes (70% 0.5–4 KB, 25% 4–16 KB, 5% 16–100 KB), Maildir names with ,S= and ,W=. Ratio = maillab ÷ Dovecot (target ≤ 1.00×).`,
    '',
    table(['work', 'maillab', 'Dovecot 2.3', 'ratio'], rows),
  ].join('\n'),
});
