import { defineConfig } from 'vite';

// The website chat widget: one self-contained IIFE file, dist/widget.js (socket.io-client bundled).
// Runs after the SPA build, so it must not empty dist/.
export default defineConfig({
  publicDir: false,
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    copyPublicDir: false,
    target: 'es2022',
    lib: {
      entry: 'src/widget/widget.ts',
      formats: ['iife'],
      name: 'KefuWidget',
      fileName: () => 'widget.js',
    },
    rollupOptions: { output: { inlineDynamicImports: true } },
  },
});
