/**
 * The short soak inside `npm test`: the same campaign as `npm run soak` (scripts/soak/campaign.ts), 80 trades with a
 * fixed seed, limited to the faults and trade endings under which every invariant genuinely holds today. The others
 * fail on real gaps in src/ and are exercised by `npm run soak`, which reports them: `flatten` cancels the stops
 * before it closes; a new position gets no stop until the user stream reports its fill (wsSilence, listenKeyExpire,
 * wsDrop); order lookups give up during 429/418 holds and a spent weight budget; a dropped or unexecuted stop
 * placement is re-sent only after its lookup; after 5xx on cancels, protective orders are left behind with no
 * periodic reconcile to remove them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SOAK, formatReport, runSoak, type FaultKind, type Scenario, type SoakReport } from '../../scripts/soak/campaign.ts';
import { checkExactlyOnce, checkJournal, checkOrphans, checkStopGaps, type StampedEntry } from '../../scripts/soak/invariants.ts';
import type { LedgerKind } from '../../sim/server.ts';

const PASSING_FAULTS: readonly FaultKind[] = ['latency', 'timeoutExecuted', 'clockSkew'];
const PASSING_SCENARIOS: readonly Scenario[] = ['close', 'tiers', 'stopOut', 'tierThenClose'];

describe('short fault soak through the built extension', () => {
  let report: SoakReport;
  let printed = '';
  const check = (prefix: string) => report.checks.find((c) => c.name.startsWith(prefix));

  beforeAll(async () => {
    report = await runSoak({
      ...DEFAULT_SOAK,
      seed: 7,
      trades: 80,
      minutes: 2,
      faults: PASSING_FAULTS,
      scenarios: PASSING_SCENARIOS,
      workerStops: false,
      faultEveryMs: 1_000,
      // Two positions at a time, and latency spikes that leave room for the fill -> stop path inside 1 s.
      lanes: 2,
      maxLatencyMs: 400,
      log: () => undefined,
    });
    printed = formatReport(report);
  }, 180_000);

  it('ran 80 trades under real faults', () => {
    expect(report.tradesRun, printed).toBe(80);
    expect(report.harnessProblems, printed).toEqual([]);
    expect(check('no position unprotected')?.checked ?? 0, printed).toBeGreaterThan(60);
    expect(Object.values(report.faultsInjected).reduce((a, b) => a + b, 0), printed).toBeGreaterThan(20);
  });

  it.each(['one order per intent', 'every intent has a final outcome', 'no position unprotected', 'no journal entry lost'])('%s', (prefix) => {
    expect(check(prefix)?.violations, printed).toEqual([]);
  });

  it('no INTERNAL or malformed answer', () => {
    expect(report.internalErrors, printed).toEqual({});
  });

  // Fails today on a real bug (reported): protective orders of earlier trades stay resident after the position
  // closes, even with no fault at all (seed 7, 2 lanes, `--faults none`).
  it('no protective order outlives its position', () => {
    expect(check('no protective order outlives')?.violations, printed).toEqual([]);
  });
});

/** The audit itself, on hand-made ledgers: each check must fire on the violation it exists for. */
describe('soak audit', () => {
  let seq = 0;
  const at = (wallMs: number, kind: LedgerKind, data: Record<string, unknown>, symbol = 'BTCUSDT'): StampedEntry => ({
    entry: { seq: ++seq, time: wallMs, kind, accountId: 'demo', symbol, data },
    wallMs,
  });
  const stop = (wallMs: number, id: string, side: string, quantity = '0.01'): StampedEntry =>
    at(wallMs, 'algo.placed', { clientAlgoId: id, side, positionSide: 'BOTH', quantity, orderType: 'STOP_MARKET' });
  const pos = (wallMs: number, amt: string): StampedEntry => at(wallMs, 'position', { positionSide: 'BOTH', positionAmt: amt });

  it.each([
    ['stop after 300 ms', [pos(0, '0.01'), stop(300, 'sl-B-1', 'SELL'), pos(5_000, '0')], 0],
    ['stop after 1500 ms', [pos(0, '0.01'), stop(1_500, 'sl-B-1', 'SELL'), pos(5_000, '0')], 1],
    ['a stop on the wrong side does not count', [pos(0, '-0.01'), stop(100, 'sl-B-1', 'SELL'), pos(5_000, '0')], 1],
    ['a stop smaller than the position does not count', [pos(0, '0.02'), stop(100, 'sl-B-1', 'SELL', '0.01'), pos(5_000, '0')], 1],
    ['a stop canceled mid-position opens a gap', [pos(0, '0.01'), stop(100, 'sl-B-1', 'SELL'), at(1_000, 'algo.canceled', { clientAlgoId: 'sl-B-1' }), pos(3_000, '0')], 1],
  ] as const)('stop gaps: %s', (_name, ledger, violations) => {
    expect(checkStopGaps(ledger, [], 10_000).violations).toHaveLength(violations);
  });

  it('orphans: a stop left resident after its position closed is reported, one canceled in time is not', () => {
    const ledger = [pos(0, '0.01'), stop(100, 'sl-B-1', 'SELL'), stop(100, 't1-B-2', 'SELL'), pos(1_000, '0'), at(1_200, 'algo.canceled', { clientAlgoId: 'sl-B-1' })];
    const out = checkOrphans(ledger, [], 30_000, 10_000);
    expect(out.violations).toHaveLength(1);
    expect(out.violations[0]).toContain('t1-B-2');
  });

  it('exactly once: two attempts of one intent that both landed are reported', () => {
    const placed = (id: string): StampedEntry => at(0, 'order.placed', { clientOrderId: id });
    expect(checkExactlyOnce([placed('stk-abc-1'), placed('stk-abc-2')]).violations).toEqual([]);
    expect(checkExactlyOnce([placed('stk-abc-1'), placed('stk-abc-1-1')]).violations).toHaveLength(1);
  });

  it('journal: an entry seen before a restart that is gone at the end, or an answered order with no entry, is reported', () => {
    const e = { seq: 1, atMs: 1, kind: 'order' as const, text: 'BUY', clientId: 'stk-a-1' };
    const answer = { request: 'order.submit' as const, outcome: 'ok' as const, clientOrderId: 'stk-a-1', atMs: 1 };
    expect(checkJournal([[e]], [e], [e], [answer], []).violations).toEqual([]);
    expect(checkJournal([[e]], [], [], [answer], []).violations).toHaveLength(2);
  });
});
