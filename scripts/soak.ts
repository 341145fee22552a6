/**
 * `npm run soak [-- --seed N] [--trades N] [--minutes M] [--no-worker-stops] [--faults a,b,…|none]
 *   [--scenarios close,tiers,…] [--lanes 1-5] [--dump file.json] [--build]`: the fault soak
 * (scripts/soak/campaign.ts) through the real built extension. Builds the extension first when `dist/` has no build
 * (or with `--build`). Prints the faults injected and each invariant checked; exits 1 on any violation.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DIST } from '../tests/e2e/harness.ts';
import { DEFAULT_SOAK, FAULT_KINDS, SCENARIOS, formatReport, runSoak, type FaultKind, type Scenario } from './soak/campaign.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

function intArg(name: string, fallback: number, min: number, max: number): number {
  const raw = arg(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in [${min}, ${max}]`);
  return n;
}

function faultsArg(): readonly FaultKind[] {
  const raw = arg('faults');
  if (raw === undefined) return DEFAULT_SOAK.faults;
  if (raw === 'none') return [];
  const kinds = raw.split(',');
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new Error(`unknown fault kinds ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}`);
  return kinds as FaultKind[];
}

function scenariosArg(raw: string): readonly Scenario[] {
  const names = raw.split(',');
  const unknown = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) throw new Error(`unknown scenarios ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  return names as Scenario[];
}

async function main(): Promise<number> {
  if (process.argv.includes('--build') || !existsSync(join(DIST, 'manifest.json'))) {
    console.log('building the extension…');
    const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
    if (built.status !== 0) return 1;
  }
  const opts = {
    ...DEFAULT_SOAK,
    seed: intArg('seed', DEFAULT_SOAK.seed, 0, 2 ** 31 - 1),
    trades: intArg('trades', DEFAULT_SOAK.trades, 1, 100_000),
    minutes: intArg('minutes', DEFAULT_SOAK.minutes, 1, 24 * 60),
    faults: faultsArg(),
    workerStops: !process.argv.includes('--no-worker-stops'),
    lanes: intArg('lanes', DEFAULT_SOAK.lanes, 1, 5),
    log: (line: string) => console.log(line),
    ...(arg('dump') === undefined ? {} : { dumpPath: arg('dump') }),
    ...(arg('scenarios') === undefined ? {} : { scenarios: scenariosArg(arg('scenarios') ?? '') }),
  };
  console.log(`soak: seed ${opts.seed}, ${opts.trades} trades, at most ${opts.minutes} min, faults ${opts.faults.join(',') || 'none'}, worker stops ${opts.workerStops ? 'on' : 'off'}`);
  const report = await runSoak(opts);
  console.log(formatReport(report));
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
