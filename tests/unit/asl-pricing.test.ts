import { describe, expect, it } from 'vitest';
import { CLIENT_ID_RE, DEFAULT_PROTECTION_CONFIG, ProtectionConfigSchema, parseClientId } from '../../src/core/asl.ts';
import { isOurIdFor, makeClientId } from '../../src/core/asl/ids.ts';
import { activatePrice, reachedTier, safetyStop, trailStop } from '../../src/core/asl/pricing.ts';

const tick = (tickSize: string, minPrice = '0') => ({ tickSize, minPrice });

describe('safety stop: −pct from entry, rounded never looser than configured', () => {
  it.each([
    // entry, dir, pct, tick, expected
    ['100', 'long', '10', '0.01', '90'],
    ['100', 'short', '10', '0.01', '110'],
    ['100.05', 'long', '10', '0.1', '90.1'], // 90.045 → up (loss ≤ 10 %)
    ['100.05', 'short', '10', '0.1', '110'], // 110.055 → down
    ['0.012345', 'long', '10', '0.000001', '0.011111'], // 0.0111105 → up
    ['63250.4', 'long', '10', '0.1', '56925.4'], // 56925.36 → up
    ['3000', 'short', '7.5', '0.05', '3225'],
  ] as const)('%s %s −%s %% tick %s → %s', (entry, dir, pct, t, want) => {
    expect(safetyStop(entry, dir, pct, tick(t))).toBe(want);
  });

  it('counts ticks from minPrice (PRICE_FILTER)', () => {
    // (price − 0.03) must be a multiple of 0.05: 89.9955 → 90.03 (up from 89.98)
    expect(safetyStop('99.995', 'long', '10', tick('0.05', '0.03'))).toBe('90.03');
  });
});

describe('tiers and trailing levels', () => {
  const tiers = DEFAULT_PROTECTION_CONFIG.tiers;
  it.each([
    ['100', 'long', '100.99', 0],
    ['100', 'long', '101', 1],
    ['100', 'long', '103.99', 2],
    ['100', 'long', '104', 3],
    ['100', 'short', '99.01', 0],
    ['100', 'short', '99', 1],
    ['100', 'short', '98', 2],
    ['100', 'short', '95', 3],
  ] as const)('entry %s %s mark %s → tier %i', (entry, dir, mark, want) => {
    expect(reachedTier(entry, dir, mark, tiers)).toBe(want);
  });

  it.each([
    ['101', 'long', '2', '98.98'],
    ['103', 'long', '1.5', '101.46'], // 101.455 → up
    ['97', 'short', '1.5', '98.45'], // 98.455 → down
    ['96', 'short', '1', '96.96'],
  ] as const)('best %s %s trail %s %% → %s', (best, dir, trail, want) => {
    expect(trailStop(best, dir, trail, tick('0.01'))).toBe(want);
  });

  it.each([
    ['100', 'long', '1', '0.01', '101'],
    ['100.03', 'long', '2', '0.1', '102.1'], // 102.0306 → up to the tick: never activates early
    ['100.03', 'short', '2', '0.1', '98'], // 98.0294 → down
  ] as const)('activatePrice entry %s %s +%s %% tick %s → %s', (entry, dir, trig, t, want) => {
    expect(activatePrice(entry, dir, trig, tick(t))).toBe(want);
  });
});

describe('config validation', () => {
  it('accepts the defaults', () => {
    expect(ProtectionConfigSchema.parse(DEFAULT_PROTECTION_CONFIG)).toEqual(DEFAULT_PROTECTION_CONFIG);
  });
  it.each([
    ['falling triggers', [{ triggerPct: '2', trailPct: '1' }, { triggerPct: '1', trailPct: '1' }]],
    ['widening trail', [{ triggerPct: '1', trailPct: '1' }, { triggerPct: '2', trailPct: '2' }]],
    ['float-ish value', [{ triggerPct: '1e0', trailPct: '1' }]],
  ])('rejects %s', (_name, tiers) => {
    expect(ProtectionConfigSchema.safeParse({ ...DEFAULT_PROTECTION_CONFIG, tiers }).success).toBe(false);
  });
});

describe('deterministic client ids', () => {
  it.each([
    ['BTCUSDT', 'LONG', 'sl-BTCUSDT-L-7'],
    ['1000SHIBUSDT', 'BOTH', 'sl-1000SHIBUSDT-B-7'],
  ] as const)('%s %s → %s', (symbol, side, want) => {
    expect(makeClientId('sl', symbol, side, 7)).toBe(want);
  });

  it('stays within Binance\'s clientAlgoId rule for long or non-ASCII symbols (fact sheet §4.7)', () => {
    for (const symbol of ['我踏马来了USDT', 'AVERYLONGSYMBOLNAME123USDT', 'BTCUSDT_260925']) {
      const id = makeClientId('t3', symbol, 'SHORT', 12_345_678_901_234);
      expect(id).toMatch(CLIENT_ID_RE);
      expect(id.length).toBeLessThanOrEqual(36);
      expect(isOurIdFor(id, symbol, 'SHORT')).toBe(true);
      expect(isOurIdFor(id, symbol, 'LONG')).toBe(false);
    }
  });

  it('parses our ids back and ignores anyone else\'s', () => {
    expect(parseClientId('t2-ETHUSDT-S-41')).toEqual({ kind: 't2', tag: 'ETHUSDT', positionSide: 'SHORT', n: 41 });
    expect(parseClientId('stk-abc-1')).toBeNull();
    expect(parseClientId('web_8f3a1')).toBeNull();
  });
});
