import { defineConfig } from 'vitest/config';

// End-to-end tests: the built extension in real Chromium against the local exchange. One file at a time: each
// launches its own browser, and two Chromiums on two cores make timings noisy.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
