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
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  test: { name: 'webui', environment: 'happy-dom', setupFiles: ['./src/testing/setup.ts'] },
});
