import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

/**
 * The fault-injection suite (issue 11): real agent clusters on the AWS emulator, one fault per scenario and an
 * audit of the end state; the bad-input fuzz run; the security tests. Files run one at a time (2 shared cores),
 * tests inside a file in order, since scenarios of one file reuse its cluster.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    reporters: ['default', fileURLToPath(new URL('../../tools/vitest-summary-reporter.ts', import.meta.url))],
  },
});
