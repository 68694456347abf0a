// Benchmark (not a test): keystroke-to-echo latency through the classroom bridge, and memory per
// session. Starts a lab and the bridge in this process; N WebSocket clients each open a tab (on the
// lab's POP3 listener over TCP), then every session at once sends "USER alice" (valid any number of
// times, so no bad-command budget runs out) and waits for its client-line echo and the server's reply.
// Run after `npm install` (it uses dist/): node bench/web-bridge.mjs [sessions...]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { DEFAULT_LAB_CONFIG, startLab } from '../dist/core/lab/lab-server.js';
import { startClassroom } from '../dist/web/server/start-classroom.js';

const counts = process.argv.slice(2).map(Number).filter(Boolean);
const SESSIONS = counts.length ? counts : [1, 200];
const ROUNDS = 30;

const dir = mkdtempSync(join(tmpdir(), 'maillab-bench-'));
const lab = await startLab({ ...DEFAULT_LAB_CONFIG, dataDir: join(dir, 'data'), pop3Port: 0, pop3sPort: null, smtpPort: null, submissionPort: null, smtpsPort: null, maxConnections: 1000, maxConnectionsPerAddress: 1000, greetingDelayMs: 0, runQueue: false });
const classroom = await startClassroom({ host: '127.0.0.1', port: 0, listeners: lab.listeners, allowRemote: [], webNames: [], logins: [], limits: { sessionsPerAddress: 1000, maxSessions: 1000 } });
const port = classroom.server.port;

function openClient() {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { origin: `http://127.0.0.1:${port}` });
    const client = { socket, listeners: [], ready: false };
    socket.on("message", (data) => {
      if (process.env.DEBUG) console.log(String(data).slice(0, 200));
      const message = JSON.parse(String(data));
      for (const listener of client.listeners) listener(message);
      if (!client.ready && message.t === 'status' && message.status.state === 'AUTHORIZATION') {
        client.ready = true;
        resolve(client);
      }
    });
    socket.once('open', () => socket.send(JSON.stringify({ v: 1, t: 'hello' })));
    socket.once('error', reject);
  });
}

/** Sends one line; resolves with [ms to the echo of the client line, ms to the server's reply line]. */
function roundTrip(client, line) {
  return new Promise((resolve) => {
    const start = performance.now();
    let echo;
    const listener = (message) => {
      if (message.t !== 'events') return;
      for (const { event } of message.envelopes) {
        if (event.kind === 'line' && event.from === 'client' && echo === undefined) echo = performance.now() - start;
        if (event.kind === 'line' && event.from === 'server' && echo !== undefined) {
          client.listeners.splice(client.listeners.indexOf(listener), 1);
          resolve([echo, performance.now() - start]);
          return;
        }
      }
    };
    client.listeners.push(listener);
    client.socket.send(JSON.stringify({ v: 1, t: 'input', lines: [line] }));
  });
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const results = [];
for (const count of SESSIONS) {
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const clients = [];
  for (let index = 0; index < count; index++) clients.push(await openClient());
  global.gc?.();
  const after = process.memoryUsage().heapUsed;
  const echoes = [];
  const replies = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Every session types at once: the worst moment of a classroom.
    const times = await Promise.all(clients.map((client) => roundTrip(client, 'USER alice')));
    for (const [echo, reply] of times) {
      echoes.push(echo);
      replies.push(reply);
    }
  }
  results.push({
    sessions: count,
    echoP50: percentile(echoes, 50).toFixed(2),
    echoP99: percentile(echoes, 99).toFixed(2),
    replyP50: percentile(replies, 50).toFixed(2),
    replyP99: percentile(replies, 99).toFixed(2),
    heapPerSessionKb: ((after - before) / count / 1024).toFixed(0),
  });
  for (const client of clients) client.socket.close();
  await new Promise((resolve) => setTimeout(resolve, 200));
}
console.table(results);
await classroom.server.close();
await lab.close();
rmSync(dir, { recursive: true, force: true });
