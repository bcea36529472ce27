import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const target = process.env.KEFU_SERVER ?? 'http://localhost:3000';

// The agent console (SPA). The widget is a second build: vite.widget.config.ts.
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: {
      '/api': target,
      '/socket.io': { target, ws: true },
    },
  },
});
