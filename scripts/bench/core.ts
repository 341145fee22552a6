/**
 * The protection engine's step on an entry fill, timed in this Node process (V8, as in the worker): the step runs
 * between a fill's stream message and its stop's frame, so its cost is part of fill → stop. Measured with the rules
 * of the local exchange's 7 symbols and of a mainnet-sized listing (500), three positions already protected.
 */
import { DEFAULT_PROTECTION_CONFIG, emptyProtectionState, step, type ProtectionEvent, type ProtectionState } from '../../src/core/asl.ts';

const config = DEFAULT_PROTECTION_CONFIG;

function stateWith(symbols: number): ProtectionState {
  const rules = Array.from({ length: symbols }, (_, i) => ({ symbol: i === 0 ? 'BTCUSDT' : `S${i}USDT`, tickSize: '0.01', minPrice: '0.01' }));
  let s = step(emptyProtectionState(), { type: 'symbolRules', rules, atMs: 1 }, config).state;
  let t = 10;
  for (const symbol of ['S1USDT', 'S2USDT', 'S3USDT']) {
    const r = step(s, { type: 'fill', symbol, positionSide: 'BOTH', side: 'BUY', qty: '1', price: '100', atMs: t++ }, config);
    s = r.state;
    for (const e of r.effects) {
      if (e.type === 'placeAlgo') s = step(s, { type: 'algoAccepted', clientAlgoId: e.params.clientAlgoId, algoId: String(t), symbol, atMs: t++ }, config).state;
    }
  }
  return s;
}

/** µs per step of a new position's entry fill: `batches` means of `perBatch` steps each, after a warm-up. */
export function stepOnFill(symbols: number, batches = 20, perBatch = 500): number[] {
  const state = stateWith(symbols);
  const fill: ProtectionEvent = { type: 'fill', symbol: 'BTCUSDT', positionSide: 'BOTH', side: 'BUY', qty: '0.01', price: '50000', atMs: 1_000_000 };
  for (let i = 0; i < perBatch; i++) step(state, fill, config);
  const out: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) step(state, fill, config);
    out.push(((performance.now() - t0) / perBatch) * 1000);
  }
  return out;
}
