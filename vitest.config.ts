import { defineConfig } from 'vitest/config';
import { scaled } from './test/helpers/time.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Bounds for a quiet machine, times MAILLAB_TEST_TIME_FACTOR (test/helpers/time.ts).
    testTimeout: scaled(30_000),
    hookTimeout: scaled(30_000),
    // The lab's default ports are taken while the suite runs, as by `npm start`
    // beside it: a test that binds a fixed port fails on every run, not now and then.
    globalSetup: ['test/helpers/hold-lab-ports.ts'],
    // Most end-to-end files spend their time waiting on sockets, timers and child
    // processes, not on the CPU: on a 2-core machine three workers finish the
    // suite much sooner than the default of one per spare core.
    maxWorkers: 3,
    // Test files share their worker's process and module cache instead of a fresh process
    // each: no test mocks modules, fakes timers or changes the environment, and starting
    // ~80 processes and importing core/ ~80 times was a large share of the suite's time.
    isolate: false,
  },
});
