// `npm test`: install what is missing, then type-check, unit tests, build, real-browser tests. Ends with one plain
// line `N passed, N failed` (the CI reads that line, not vitest's summary) and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensureAll } from './setup.mjs';

const root = resolve(import.meta.dirname, '..');
const out = resolve(root, 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

let passed = 0;
let failed = 0;

function step(name, cmd, args) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: { ...process.env, FORCE_COLOR: '0' } });
  return r.status === 0;
}

/** A vitest run counted from its JSON report; a run that produced no report counts as one failure. */
function vitestStep(name, config) {
  const report = resolve(out, `${name}.json`);
  const ok = step(name, 'npx', ['vitest', 'run', '--config', config, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  if (!existsSync(report)) {
    failed += 1;
    return;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  // Files that failed to load (syntax error, failing beforeAll) have no failed tests of their own.
  const brokenSuites = json.testResults.filter((f) => f.status === 'failed' && f.assertionResults.every((a) => a.status !== 'failed'));
  failed += brokenSuites.length;
  if (!ok && json.numFailedTests === 0 && brokenSuites.length === 0) failed += 1;
}

function countedStep(name, cmd, args) {
  if (step(name, cmd, args)) passed += 1;
  else failed += 1;
}

try {
  ensureAll();
} catch (e) {
  console.error(`set-up failed: ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

countedStep('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
vitestStep('unit', 'vitest.config.ts');
const built = step('build', 'npx', ['vite', 'build']);
if (built) {
  passed += 1;
  vitestStep('e2e', 'vitest.e2e.config.ts');
} else {
  failed += 1;
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
