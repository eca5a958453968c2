/**
 * Builds the browser benchmark (bench/browser/index.html, its worker) apart from the app,
 * so `npm run bench:browser` never touches the app's dist/.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true },
  logLevel: 'warn',
});
