/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // The app, plus a check page that runs a scenario headless in a worker (e2e determinism test).
    rollupOptions: { input: { main: 'index.html', determinism: 'src/check/determinism.html' } },
  },
  preview: { port: 4173, strictPort: true },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 120000,
    hookTimeout: 60000,
  },
});
