import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const agent = process.env['KUMO_AGENT_URL'] ?? 'http://127.0.0.11:29003';

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: agent, ws: true },
    },
  },
  // React DOM (~207 kB) and zod (~91 kB, the shared validator) are most of the one chunk; 152 kB gzipped.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  test: { name: 'webui', environment: 'happy-dom', setupFiles: ['./src/testing/setup.ts'] },
});
