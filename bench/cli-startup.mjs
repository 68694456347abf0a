// Measures how long `bin/maillab --help` takes to start (target: under 0.5 s).
// A benchmark, not a test: run with `npm run bench`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/maillab', import.meta.url));
const runs = Number(process.argv[2] ?? 20);
const times = [];
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  execFileSync(bin, ['--help'], { stdio: 'ignore' });
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const worst = times[times.length - 1];
console.log(`bin/maillab --help over ${runs} runs: median ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms (target < 500 ms)`);
