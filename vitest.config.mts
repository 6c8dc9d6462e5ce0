import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'examples/**/node_modules/**'],
    // Integration tests start real processes (platform, dynalite, serverless CLI): give them room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: run files in parallel but keep the heavy integration suites from fighting.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
