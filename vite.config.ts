import { defineConfig } from 'vite';

// Relative base so the built page works from any sub-path (GitHub Pages project sites).
export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  optimizeDeps: { exclude: ['@huggingface/transformers'] },
  server: { port: 5173, strictPort: false },
});
