import { defineConfig } from 'vitest/config';

// Every test file starts its own emulator and shares no module state, so files may share a worker's
// module cache: the AWS SDK is then loaded once per worker instead of once per file.
export default defineConfig({ test: { name: 'mock-cloud', environment: 'node', isolate: false } });
