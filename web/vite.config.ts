// Vite builds the app into web/dist, which the bonifica-web crate embeds in the binary.
// Everything is bundled: no CDN, no external tiles, no web fonts.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // MapLibre alone is about 800 kB minified; one chunk for it keeps the app's own code small.
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks: { maplibre: ['maplibre-gl'] },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
