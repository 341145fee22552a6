/**
 * The operations the event handlers share: placing a protective generation, settling a generation once it is live
 * (cancelling the one it replaces), cancelling, flattening, closing at market. They mutate a draft of the state that
 * `step` cloned from its input, and append effects; nothing here reads a clock or the network.
 *
 * The no-gap rule: protective orders are grouped in generations. A new generation is placed next to the old one;
 * only when every member of the new generation is live on the exchange are the older generations cancelled.
 */
import { abs, eq, isZero } from '../../shared/decimal.ts';
import { makeClientId, posKey, type IdKind } from './ids.ts';
import { closeParams, stopParams, trailParams } from './orders.ts';
import { activatePrice, bestStop, roundStop, safetyStop, trailStop, type TickRule } from './pricing.ts';
import type { AlgoOrderParams, Direction, Effect, PositionRecord, ProtectionConfig, ProtectionState, ProtectiveOrder } from './schema.ts';

/** The draft being reduced, the config, the effects so far and the event's time. */
export interface Ctx {
  readonly s: ProtectionState;
  readonly cfg: ProtectionConfig;
  readonly fx: Effect[];
  readonly atMs: number;
}

/** Why a generation is placed; only changes the trader-facing text. */
export type GenReason = 'entry' | 'resize' | 'trail' | 'trader' | 'reprotect' | 'fallback';

export const keyOf = (rec: PositionRecord): string => posKey(rec.symbol, rec.positionSide);
export const isOpen = (rec: PositionRecord): boolean => !isZero(rec.size);

export function notify(ctx: Ctx, key: string, level: 'info' | 'warn' | 'error', text: string): void {
  ctx.fx.push({ type: 'notify', posKey: key, level, text });
}

/** Next deterministic id for this position (per-position counter kept in state). */
export function nextId(ctx: Ctx, rec: Pick<PositionRecord, 'symbol' | 'positionSide'>, kind: IdKind): string {
  const key = posKey(rec.symbol, rec.positionSide);
  const n = (ctx.s.counters[key] ?? 0) + 1;
  ctx.s.counters[key] = n;
  return makeClientId(kind, rec.symbol, rec.positionSide, n);
}

export function ruleOf(ctx: Ctx, symbol: string): TickRule | undefined {
  return ctx.s.rules[symbol];
}

/** The order with this clientAlgoId and the position that owns it. */
export function findOrder(ctx: Ctx, clientAlgoId: string): { rec: PositionRecord; order: ProtectiveOrder } | null {
  for (const rec of Object.values(ctx.s.positions)) {
    const order = rec.orders.find((o) => o.clientAlgoId === clientAlgoId);
    if (order) return { rec, order };
  }
  return null;
}

export function removeOrder(rec: PositionRecord, order: ProtectiveOrder): void {
  rec.orders = rec.orders.filter((o) => o.clientAlgoId !== order.clientAlgoId);
}

/** Drops a flat position's record once all its orders are gone. */
export function dropIfDone(ctx: Ctx, rec: PositionRecord): void {
  if (!isOpen(rec) && rec.orders.length === 0) delete ctx.s.positions[keyOf(rec)];
}

export function sendPlace(ctx: Ctx, rec: PositionRecord, params: AlgoOrderParams): void {
  ctx.fx.push({ type: 'placeAlgo', posKey: keyOf(rec), params });
}

/** Adds a member to the current generation and asks the runner to place it. */
export function addOrder(
  ctx: Ctx,
  rec: PositionRecord,
  member: Pick<ProtectiveOrder, 'role' | 'tier' | 'params' | 'acceptNote'>,
  gen = rec.gen,
  attempts = 1,
): void {
  rec.orders.push({ ...member, clientAlgoId: member.params.clientAlgoId, gen, status: 'placing', attempts, cancelAttempts: 0, cancelOnAccept: false });
  sendPlace(ctx, rec, member.params);
}

/** Swaps a rejected member for a new one (new id) in the same generation. */
export function replaceMember(ctx: Ctx, rec: PositionRecord, old: ProtectiveOrder, params: AlgoOrderParams, acceptNote: string | null): void {
  removeOrder(rec, old);
  addOrder(ctx, rec, { role: old.role, tier: old.tier, params, acceptNote }, old.gen, old.attempts + 1);
}

export function cancelOrder(ctx: Ctx, rec: PositionRecord, order: ProtectiveOrder): void {
  order.status = 'canceling';
  order.cancelAttempts += 1;
  ctx.fx.push({
    type: 'cancelAlgo',
    posKey: keyOf(rec),
    symbol: rec.symbol,
    clientAlgoId: order.clientAlgoId,
    ...(order.algoId === undefined ? {} : { algoId: order.algoId }),
  });
}

/** The safety stop of a position (entry ∓ safetyStopPct). */
export function safetyOf(ctx: Ctx, rec: PositionRecord, rule: TickRule): string {
  return safetyStop(rec.entryPrice, rec.direction, ctx.cfg.safetyStopPct, rule);
}

/** The trailing level of the highest tier reached, from the best mark since then; null below the first tier. */
export function trailingLevel(ctx: Ctx, rec: PositionRecord, rule: TickRule): string | null {
  const tier = ctx.cfg.tiers[rec.tier - 1];
  if (tier === undefined || rec.bestMark === null) return null;
  return trailStop(rec.bestMark, rec.direction, tier.trailPct, rule);
}

/**
 * The stop the position should have: the trader's stop (or the safety stop), raised to the tier's trailing level,
 * and never less favourable than the current stop (the ratchet: the stop only moves in the position's favour).
 */
export function desiredStop(ctx: Ctx, rec: PositionRecord, rule: TickRule): string {
  const trader = traderStopOf(ctx, rec);
  const base = trader === undefined ? safetyOf(ctx, rec, rule) : roundStop(trader, rec.direction, rule);
  const candidates = [base];
  if (rec.stopPrice !== null) candidates.push(rec.stopPrice);
  const trail = trailingLevel(ctx, rec, rule);
  if (trail !== null) candidates.push(trail);
  return bestStop(rec.direction, candidates) ?? base;
}

/**
 * Where the trader's stop for a position direction is kept. A stop is for the direction its entry opens: kept under
 * the position key alone, a SELL's stop (above the price) once became the stop of a long on the same key, refused
 * with -2021, which closes the position at market.
 */
export function traderStopKey(key: string, direction: Direction): string {
  return `${key}:${direction}`;
}

function traderStopOf(ctx: Ctx, rec: PositionRecord): string | undefined {
  return ctx.s.traderStops[traderStopKey(keyOf(rec), rec.direction)];
}

function stopNote(ctx: Ctx, rec: PositionRecord, stop: string, rule: TickRule, reason: GenReason): string {
  const native = rec.mode === 'native' ? '; ASL trailing tiers rest on the exchange' : '';
  if (reason === 'trail') {
    const tier = ctx.cfg.tiers[rec.tier - 1];
    const why = tier === undefined ? '' : ` (ASL tier ${rec.tier}: trailing ${tier.trailPct} %)`;
    return `${rec.symbol}: stop moved to ${stop}${why}`;
  }
  if (traderStopOf(ctx, rec) === undefined && eq(stop, safetyOf(ctx, rec, rule))) {
    return `Safety stop −${ctx.cfg.safetyStopPct} % placed at ${stop} for ${rec.size} ${rec.symbol}${native}`;
  }
  const verb = reason === 'resize' ? 're-sized to' : 'placed for';
  return `${rec.symbol}: stop at ${stop} ${verb} ${rec.size}${native}`;
}

/**
 * Places a new protective generation for the position's full current size: in worker mode one STOP_MARKET; in
 * native mode the STOP_MARKET plus one TRAILING_STOP_MARKET per tier not yet passed. For the highest tier already
 * reached, the trailing order goes without activatePrice (it would be refused with -2021, §4.5) and the stop is
 * raised to that tier's level from the best mark so far: max(fixed level, trailing from now) equals trailing from
 * the best mark, so re-placing loses nothing.
 */
export function startGen(ctx: Ctx, rec: PositionRecord, reason: GenReason): void {
  if (!isOpen(rec) || rec.closing !== null) return;
  const rule = ruleOf(ctx, rec.symbol);
  if (rule === undefined) {
    if (!rec.awaitingRules) notify(ctx, keyOf(rec), 'warn', `${rec.symbol}: no tick size known yet; the stop is placed as soon as the symbol rules arrive`);
    rec.awaitingRules = true;
    return;
  }
  rec.awaitingRules = false;
  const stop = desiredStop(ctx, rec, rule);
  rec.gen += 1;
  rec.stopPrice = stop;
  addOrder(ctx, rec, { role: 'stop', tier: 0, params: stopParams(rec, stop, nextId(ctx, rec, 'sl')), acceptNote: stopNote(ctx, rec, stop, rule, reason) });
  if (rec.mode !== 'native') return;
  ctx.cfg.tiers.forEach((t, i) => {
    const n = i + 1;
    if (n < rec.tier) return; // a looser tier than one already reached can never fire first
    const act = n <= rec.tier ? null : activatePrice(rec.entryPrice, rec.direction, t.triggerPct, rule);
    addOrder(ctx, rec, { role: 'trail', tier: n, params: trailParams(rec, t.trailPct, act, nextId(ctx, rec, `t${n}`)), acceptNote: null });
  });
}

/** True when the position has at least one stop live or being placed. */
export function hasAnyStop(rec: PositionRecord): boolean {
  return rec.orders.some((o) => o.role === 'stop' && (o.status === 'live' || o.status === 'placing'));
}

/** Places a stop at once for an open position found with none (startup, reconnect, external cancel). */
export function ensureProtected(ctx: Ctx, rec: PositionRecord): void {
  if (isOpen(rec) && rec.closing === null && !rec.gaveUp && !rec.frozen && !hasAnyStop(rec)) startGen(ctx, rec, 'reprotect');
}

/**
 * Worker mode: moves the stop when the desired level is more favourable than the current one. One move at a time:
 * while a replacement is being placed, later marks only update the best price; the move is re-evaluated on accept.
 */
export function maybeTrail(ctx: Ctx, rec: PositionRecord): void {
  if (rec.mode !== 'worker' || !isOpen(rec) || rec.closing !== null || rec.frozen || rec.gaveUp || rec.awaitingRules) return;
  if (rec.orders.some((o) => o.gen === rec.gen && o.status === 'placing')) return;
  const rule = ruleOf(ctx, rec.symbol);
  if (rule === undefined) return;
  const desired = desiredStop(ctx, rec, rule);
  if (rec.stopPrice === null || !eq(desired, rec.stopPrice)) startGen(ctx, rec, 'trail');
}

/**
 * Once every member of the current generation is live, cancels the older generations (live ones now; ones still
 * being placed as soon as they are accepted). Then lets the worker trail further.
 */
export function settle(ctx: Ctx, rec: PositionRecord): void {
  if (!isOpen(rec)) {
    dropIfDone(ctx, rec);
    return;
  }
  const members = rec.orders.filter((o) => o.gen === rec.gen);
  if (members.length > 0 && members.every((o) => o.status === 'live')) {
    for (const o of rec.orders) {
      if (o.gen >= rec.gen) continue;
      if (o.status === 'live') cancelOrder(ctx, rec, o);
      else if (o.status === 'placing') o.cancelOnAccept = true;
    }
  }
  maybeTrail(ctx, rec);
}

/**
 * Gives up the current generation and makes the newest generation that still has a live stop current again (its
 * live members are re-tagged with a fresh generation number so numbers only grow). False when none is left.
 */
export function abandonGen(ctx: Ctx, rec: PositionRecord): boolean {
  for (const o of rec.orders.filter((x) => x.gen === rec.gen)) {
    if (o.status === 'placing') o.cancelOnAccept = true;
    else if (o.status === 'live') cancelOrder(ctx, rec, o);
  }
  const liveStops = rec.orders.filter((o) => o.gen < rec.gen && o.role === 'stop' && o.status === 'live');
  const fallback = liveStops.reduce<number | null>((g, o) => (g === null || o.gen > g ? o.gen : g), null);
  rec.gen += 1;
  if (fallback === null) return false;
  for (const o of rec.orders) if (o.gen === fallback && o.status === 'live') o.gen = rec.gen;
  const stop = rec.orders.find((o) => o.gen === rec.gen && o.role === 'stop');
  rec.stopPrice = stop?.params.triggerPrice ?? rec.stopPrice;
  return true;
}

/** The position is flat: cancel every protective order it still has (no orphan survives a closed position). */
export function flatten(ctx: Ctx, rec: PositionRecord): void {
  const open = rec.orders.filter((o) => o.status === 'live' || o.status === 'placing').length;
  rec.size = '0';
  rec.closing = null;
  rec.frozen = false;
  rec.gaveUp = false;
  rec.awaitingRules = false;
  rec.tier = 0;
  rec.bestMark = null;
  rec.stopPrice = null;
  delete ctx.s.traderStops[traderStopKey(keyOf(rec), rec.direction)];
  for (const o of [...rec.orders]) {
    if (o.status === 'live') cancelOrder(ctx, rec, o);
    else if (o.status === 'placing') o.cancelOnAccept = true;
    else if (o.status === 'triggered') removeOrder(rec, o);
  }
  if (open > 0) notify(ctx, keyOf(rec), 'info', `${rec.symbol} position closed: cancelling ${open} protective order${open === 1 ? '' : 's'}`);
  dropIfDone(ctx, rec);
}

/** Reduce-only market close of the full size, after a stop would have triggered immediately (-2021). */
export function startClose(ctx: Ctx, rec: PositionRecord, text: string): void {
  if (rec.closing !== null || !isOpen(rec)) return;
  const id = nextId(ctx, rec, 'cl');
  rec.closing = { clientOrderId: id, attempts: 1 };
  ctx.fx.push({ type: 'closeMarket', posKey: keyOf(rec), params: closeParams(rec, id) });
  notify(ctx, keyOf(rec), 'warn', text);
}

/** Re-sends the market close with a new id. */
export function retryClose(ctx: Ctx, rec: PositionRecord): void {
  if (rec.closing === null) return;
  const id = nextId(ctx, rec, 'cl');
  rec.closing = { clientOrderId: id, attempts: rec.closing.attempts + 1 };
  ctx.fx.push({ type: 'closeMarket', posKey: keyOf(rec), params: closeParams(rec, id) });
}

/** A fresh record for a position just opened (or re-opened, or flipped). */
export function openRecord(
  ctx: Ctx,
  base: Pick<PositionRecord, 'symbol' | 'positionSide' | 'direction' | 'size' | 'entryPrice'>,
  prev: PositionRecord | undefined,
): PositionRecord {
  return {
    ...base,
    size: abs(base.size),
    mode: ctx.cfg.mode,
    tier: 0,
    bestMark: null,
    lastMark: prev?.lastMark ?? null,
    stopPrice: null,
    gen: prev?.gen ?? 0,
    orders: prev?.orders ?? [],
    firstFillAtMs: ctx.atMs,
    firstProtectedAtMs: null,
    closing: null,
    frozen: false,
    gaveUp: false,
    awaitingRules: false,
  };
}
