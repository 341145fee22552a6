import { defineConfig } from 'vite';
import { crx } from '@crxjs/vite-plugin';
import manifest from './manifest.json' with { type: 'json' };

// The extension build. crxjs reads manifest.json, bundles the service worker and the side panel, and rewrites the
// manifest's source paths to the built files.
export default defineConfig({
  plugins: [crx({ manifest })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome116',
    // Readable stack traces from a trader's machine are worth more than the few kB a minifier saves on loopback.
    minify: true,
    sourcemap: true,
  },
});
