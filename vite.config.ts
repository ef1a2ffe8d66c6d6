import { defineConfig } from 'vite';
import { extraConnectSources, offlineShell } from './scripts/offline-build.mjs';

// Relative base: every URL the page builds resolves against document.baseURI (or a chunk's own
// import.meta.url), so the built page works from any sub-path (GitHub Pages project sites).
export default defineConfig({
  base: './',
  worker: { format: 'es' },
  plugins: [extraConnectSources(), offlineShell()],
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  optimizeDeps: { exclude: ['@huggingface/transformers'] },
  server: { port: 5173, strictPort: false },
});
