/**
 * Read-only views of the protection state for the side panel: per position the protective stop price, the active
 * ASL tier, the next tier's trigger price and how long the position went unprotected after its first fill.
 */
import { posKey } from './ids.ts';
import { activatePrice, bestStop, tierThreshold, trailStop } from './pricing.ts';
import type { Direction, PositionRecord, PositionSide, ProtectionConfig, ProtectionMode, ProtectionState } from './schema.ts';

/** What the UI shows for one protected position. */
export interface ProtectionView {
  readonly posKey: string;
  readonly symbol: string;
  readonly positionSide: PositionSide;
  readonly direction: Direction;
  readonly size: string;
  readonly entryPrice: string;
  readonly mode: ProtectionMode;
  /** Trigger of the most favourable STOP_MARKET live on the exchange. */
  readonly restingStopPrice: string | null;
  /**
   * The level at which the position is protected now: the resting stop, or in native mode the live trailing
   * member's level from the best mark so far when that is more favourable.
   */
  readonly stopPrice: string | null;
  /** 0 below the first tier. */
  readonly activeTier: number;
  readonly activeTrailPct: string | null;
  /** Mark price at which the next tier starts; null once the last tier is reached. */
  readonly nextTierTriggerPrice: string | null;
  /** Fill → first stop accepted, in ms; null while not yet protected. */
  readonly unprotectedMs: number | null;
  /** Time of the first fill while no stop has been accepted yet; null once protected. */
  readonly unprotectedSinceMs: number | null;
  /** A replacement is being placed. */
  readonly pending: boolean;
  /** A reduce-only market close is in flight. */
  readonly closing: boolean;
}

function view(state: ProtectionState, config: ProtectionConfig, rec: PositionRecord): ProtectionView {
  const rule = state.rules[rec.symbol];
  const live = rec.orders.filter((o) => o.status === 'live');
  const restingStopPrice = bestStop(
    rec.direction,
    live.flatMap((o) => (o.role === 'stop' && o.params.triggerPrice !== undefined ? [o.params.triggerPrice] : [])),
  );
  const tier = config.tiers[rec.tier - 1];
  const trailingLive = live.some((o) => o.role === 'trail' && o.tier === rec.tier);
  const trailing =
    rec.mode === 'native' && tier !== undefined && trailingLive && rec.bestMark !== null && rule !== undefined
      ? trailStop(rec.bestMark, rec.direction, tier.trailPct, rule)
      : null;
  const next = config.tiers[rec.tier];
  const nextTierTriggerPrice =
    next === undefined
      ? null
      : rule === undefined
        ? tierThreshold(rec.entryPrice, rec.direction, next.triggerPct)
        : activatePrice(rec.entryPrice, rec.direction, next.triggerPct, rule);
  const protectedAt = rec.firstProtectedAtMs;
  const firstFill = rec.firstFillAtMs;
  return {
    posKey: posKey(rec.symbol, rec.positionSide),
    symbol: rec.symbol,
    positionSide: rec.positionSide,
    direction: rec.direction,
    size: rec.size,
    entryPrice: rec.entryPrice,
    mode: rec.mode,
    restingStopPrice,
    stopPrice: bestStop(rec.direction, [restingStopPrice, trailing].filter((p): p is string => p !== null)),
    activeTier: rec.tier,
    activeTrailPct: tier?.trailPct ?? null,
    nextTierTriggerPrice,
    unprotectedMs: protectedAt !== null && firstFill !== null ? protectedAt - firstFill : null,
    unprotectedSinceMs: protectedAt === null ? firstFill : null,
    pending: rec.orders.some((o) => o.status === 'placing' && !o.cancelOnAccept),
    closing: rec.closing !== null,
  };
}

/** Every open position's protection view, in key order. */
export function selectProtections(state: ProtectionState, config: ProtectionConfig): ProtectionView[] {
  return Object.keys(state.positions)
    .sort()
    .flatMap((k) => {
      const rec = state.positions[k];
      return rec === undefined || rec.size === '0' ? [] : [view(state, config, rec)];
    });
}

/** One position's protection view; null when the position is not open. */
export function selectProtection(state: ProtectionState, config: ProtectionConfig, symbol: string, positionSide: PositionSide): ProtectionView | null {
  const rec = state.positions[posKey(symbol, positionSide)];
  return rec === undefined || rec.size === '0' ? null : view(state, config, rec);
}
