import { defineConfig } from 'vitest/config';

// One Vitest process for the whole workspace (faster on 2 cores than one per package).
// Each package keeps its own config so that `vitest run` also works inside it.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
    reporters: ['default', './tools/vitest-summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
