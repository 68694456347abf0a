import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most end-to-end files spend their time waiting on sockets, timers and child
    // processes, not on the CPU: on a 2-core machine three workers finish the
    // suite much sooner than the default of one per spare core.
    maxWorkers: 3,
  },
});
