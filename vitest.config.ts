import { defineConfig } from 'vitest/config';

// Unit and exchange-conformance tests: pure core, fakes of the outside world, and the local exchange in-process.
// No crx plugin here: it is only needed to build the extension.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/sim/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
