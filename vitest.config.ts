import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: end-to-end files start real broker processes, so keep file parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
