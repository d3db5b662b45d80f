/// <reference types="node" />
// Build: static files in dist/ with relative asset paths, so `segmenta serve --web dist`
// can serve them from any prefix. Dev: `SEGMENTA_API=http://127.0.0.1:8080 npm run dev`
// proxies /v1 to a running server.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/v1': process.env.SEGMENTA_API ?? 'http://127.0.0.1:8080',
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
