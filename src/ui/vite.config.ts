import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built to src/ui/dist, which `kairos serve` serves at `/` (src/api/dashboard.ts).
// Relative asset URLs so that the bundle works behind any path prefix.
const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite --config src/ui/vite.config.ts` for UI work against `kairos serve` on 7700.
    proxy: { '/api': 'http://127.0.0.1:7700', '/healthz': 'http://127.0.0.1:7700' },
  },
});
