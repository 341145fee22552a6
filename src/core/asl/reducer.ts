/**
 * `step(state, event, config) → {state, effects}`: the protection engine as a pure reducer ("Decisions are
 * functions of data", design.md). The runner executes the effects, feeds their outcomes back as events and persists
 * the returned state after every step.
 */
import { abs, add, decimalPlaces, div, eq, gt, gte, isNegative, isZero, lte, mul, neg, normalize } from '../../shared/decimal.ts';
import { assertNever } from '../../shared/result.ts';
import {
  abandonGen,
  cancelOrder,
  ensureProtected,
  findOrder,
  flatten,
  isOpen,
  keyOf,
  maybeTrail,
  notify,
  nextId,
  openRecord,
  removeOrder,
  replaceMember,
  retryClose,
  ruleOf,
  safetyOf,
  sendPlace,
  settle,
  startClose,
  startGen,
  traderStopKey,
  type Ctx,
} from './engine.ts';
import { parseClientId, posKey } from './ids.ts';
import { closingSide, stopParams, trailParams } from './orders.ts';
import { isBetterMark, reachedTier } from './pricing.ts';
import { reconcile } from './reconcile.ts';
import { ALREADY_GONE, DUPLICATE_ID, RETRY_SAME_ID, TRANSIENT_ATTEMPTS, WOULD_TRIGGER } from './codes.ts';
import { onUnconfirmedEntry, provisionalOutcome, settleProvisional, sweepProvisional } from './provisional.ts';
import type {
  Direction,
  Effect,
  PositionRecord,
  PositionSnapshot,
  ProtectionConfig,
  ProtectionEvent,
  ProtectionState,
  ProtectiveOrder,
} from './schema.ts';

export { RETRY_SAME_ID } from './codes.ts';

/** How a position update changed the record. */
export type Change = 'none' | 'new' | 'resized' | 'same' | 'flat';

function directionOf(p: PositionSnapshot): Direction {
  if (p.positionSide === 'LONG') return 'long';
  if (p.positionSide === 'SHORT') return 'short';
  return isNegative(p.amount) ? 'short' : 'long';
}

/**
 * Applies a position (snapshot or fill-derived) to the record. `place` false defers placing to the caller
 * (reconcile adopts resident orders first). `asOfMs`, for a read, is the exchange's time of the position's last
 * change the read includes: it replaces the snapshot time outright, since fills after it are not in the read
 * whatever an earlier snapshot's time said.
 */
export function applyPosition(ctx: Ctx, p: PositionSnapshot, opts: { authoritative: boolean; place: boolean; asOfMs?: number | undefined }): Change {
  const key = posKey(p.symbol, p.positionSide);
  if (opts.authoritative) ctx.s.snapshots[key] = opts.asOfMs ?? Math.max(ctx.s.snapshots[key] ?? 0, ctx.atMs);
  const prev = ctx.s.positions[key];
  const size = abs(p.amount);
  const entryPrice = normalize(p.entryPrice);
  if (isZero(size)) {
    if (prev === undefined || !isOpen(prev)) return 'none';
    flatten(ctx, prev);
    return 'flat';
  }
  const direction = directionOf(p);
  let change: Change;
  let rec: PositionRecord;
  if (prev === undefined || !isOpen(prev) || prev.direction !== direction) {
    // A one-way flip leaves the old orders on the wrong side: they protect nothing, so they go at once.
    if (prev !== undefined && isOpen(prev)) flatten(ctx, prev);
    rec = openRecord(ctx, { symbol: p.symbol, positionSide: p.positionSide, direction, size, entryPrice }, ctx.s.positions[key]);
    ctx.s.positions[key] = rec;
    change = 'new';
  } else if (!eq(prev.size, size)) {
    rec = prev;
    rec.size = size;
    rec.entryPrice = entryPrice;
    rec.gaveUp = false;
    rec.frozen = false;
    change = 'resized';
  } else {
    rec = prev;
    rec.entryPrice = entryPrice;
    change = 'same';
  }
  if (opts.place) {
    if (change === 'new') startGen(ctx, rec, 'entry');
    else if (change === 'resized') startGen(ctx, rec, 'resize');
    else ensureProtected(ctx, rec);
  }
  return change;
}

/**
 * A fill moves the position before ACCOUNT_UPDATE reports it, so the stop follows partial fills at once. Fills at
 * or before the last authoritative snapshot are already in it and are skipped; the next snapshot corrects any
 * difference (it overwrites size and entry).
 */
function onFill(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'fill' }>): void {
  const key = posKey(ev.symbol, ev.positionSide);
  if (ev.atMs <= (ctx.s.snapshots[key] ?? -1)) return;
  // Only a fill that changed the position makes a reconcile read sent before it stale. A skipped one said nothing
  // new; counted anyway, a stream of them (orders answered while the exchange's clock ran behind its snapshots)
  // kept every positions re-read from applying, and positions went 5 s without stops in a full soak.
  ctx.s.streamSeq[key] = ctx.s.seq;
  const rec = ctx.s.positions[key];
  const open = rec !== undefined && isOpen(rec);
  const oldSigned = open ? (rec.direction === 'long' ? rec.size : neg(rec.size)) : '0';
  const oldEntry = open ? rec.entryPrice : '0';
  let next = add(oldSigned, ev.side === 'BUY' ? ev.qty : neg(ev.qty));
  // Hedge sides cannot cross zero: LONG is ≥ 0, SHORT ≤ 0.
  if ((ev.positionSide === 'LONG' && isNegative(next)) || (ev.positionSide === 'SHORT' && gt(next, '0'))) next = '0';
  let entry: string;
  if (isZero(next)) entry = '0';
  else if (isZero(oldSigned) || isNegative(oldSigned) !== isNegative(next)) entry = ev.price;
  else if (gt(abs(next), abs(oldSigned))) {
    // Binance's entry price is the size-weighted average cost of the open position.
    const places = Math.max(decimalPlaces(oldEntry), decimalPlaces(ev.price)) + 8;
    entry = div(add(mul(abs(oldSigned), oldEntry), mul(ev.qty, ev.price)), abs(next), places);
  } else entry = oldEntry;
  applyPosition(ctx, { symbol: ev.symbol, positionSide: ev.positionSide, amount: next, entryPrice: entry }, { authoritative: false, place: true });
}

function onMark(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'mark' }>): void {
  for (const rec of Object.values(ctx.s.positions)) {
    if (rec.symbol !== ev.symbol || !isOpen(rec)) continue;
    rec.lastMark = ev.price;
    const reached = reachedTier(rec.entryPrice, rec.direction, ev.price, ctx.cfg.tiers);
    if (reached > rec.tier) {
      rec.tier = reached;
      const t = ctx.cfg.tiers[reached - 1];
      const how = rec.mode === 'native' ? 'the exchange trails by' : 'trailing by';
      if (t !== undefined) notify(ctx, keyOf(rec), 'info', `${rec.symbol}: ASL tier ${reached} reached (+${t.triggerPct} %): ${how} ${t.trailPct} %`);
    }
    if (rec.tier > 0 && (rec.bestMark === null || isBetterMark(rec.direction, ev.price, rec.bestMark))) rec.bestMark = ev.price;
    maybeTrail(ctx, rec);
  }
}

function onTraderStop(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'traderStop' }>): void {
  const key = posKey(ev.symbol, ev.positionSide);
  const direction = ev.side === 'BUY' ? 'long' : 'short';
  const stopKey = traderStopKey(key, direction);
  if (ev.stopPrice === null) delete ctx.s.traderStops[stopKey];
  else ctx.s.traderStops[stopKey] = ev.stopPrice;
  const rec = ctx.s.positions[key];
  // A one-way entry against the open position reduces or flips it: its stop is for the position on the other side
  // (after a flip), not this one. The soak found a short's stop put on a long the engine still held: refused with
  // -2021, then closed at market, in a loop until a re-read.
  if (rec === undefined || !isOpen(rec) || rec.closing !== null || rec.direction !== direction) return;
  // The trader's explicit choice replaces the ratchet reference; the tier's trailing level still applies.
  rec.stopPrice = null;
  rec.gaveUp = false;
  startGen(ctx, rec, 'trader');
}

function accept(ctx: Ctx, rec: PositionRecord, order: ProtectiveOrder, algoId: string | undefined): void {
  if (order.status !== 'placing') {
    // The REST answer and ALGO_UPDATE NEW both report the accept.
    if (order.algoId === undefined && algoId !== undefined) order.algoId = algoId;
    return;
  }
  order.status = 'live';
  order.liveSeq = ctx.s.seq;
  if (algoId !== undefined) order.algoId = algoId;
  if (order.cancelOnAccept || !isOpen(rec)) {
    cancelOrder(ctx, rec, order);
  } else {
    if (rec.firstProtectedAtMs === null && order.role === 'stop') rec.firstProtectedAtMs = ctx.atMs;
    if (order.acceptNote !== null && order.gen === rec.gen) notify(ctx, keyOf(rec), 'info', order.acceptNote);
  }
  settle(ctx, rec);
}

function onAccepted(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'algoAccepted' }>): void {
  const found = findOrder(ctx, ev.clientAlgoId);
  if (found !== null) {
    accept(ctx, found.rec, found.order, ev.algoId);
    return;
  }
  // One of ours that the state no longer knows (dropped by a reconcile while its placement was in flight).
  const parsed = parseClientId(ev.clientAlgoId);
  if (parsed === null || parsed.kind === 'cl') return;
  ctx.fx.push({ type: 'cancelAlgo', posKey: posKey(ev.symbol, parsed.positionSide), symbol: ev.symbol, clientAlgoId: ev.clientAlgoId, algoId: ev.algoId });
}

/** Native trailing refused for good: run ASL in the worker for this position from now on. */
function fallbackToWorker(ctx: Ctx, rec: PositionRecord, order: ProtectiveOrder, code: number, msg: string): void {
  removeOrder(rec, order);
  if (rec.mode === 'native' && order.gen === rec.gen) {
    rec.mode = 'worker';
    notify(ctx, keyOf(rec), 'warn', `${rec.symbol}: the exchange refused the native trailing stop (${code} ${msg}); ASL now runs in Strike's worker`);
    startGen(ctx, rec, 'fallback');
  }
  settle(ctx, rec);
}

function onStopRejected(ctx: Ctx, rec: PositionRecord, order: ProtectiveOrder, code: number, msg: string): void {
  const key = keyOf(rec);
  const rule = ruleOf(ctx, rec.symbol);
  const price = order.params.triggerPrice ?? '';
  const olderLive = rec.orders.some((o) => o !== order && o.gen < order.gen && o.role === 'stop' && o.status === 'live' && eq(o.params.quantity, rec.size));
  if (olderLive) {
    // A move (same size) was refused: the stop already on the exchange stays, exactly one remains.
    removeOrder(rec, order);
    abandonGen(ctx, rec);
    rec.gaveUp = true;
    notify(ctx, key, 'warn', `${rec.symbol}: moving the stop to ${price} was rejected (${code} ${msg}); the stop at ${rec.stopPrice ?? '?'} stays`);
    settle(ctx, rec);
    return;
  }
  if (order.attempts >= ctx.cfg.maxPlaceAttempts || rule === undefined) {
    removeOrder(rec, order);
    rec.gaveUp = true;
    const left = hasLiveStop(rec) ? 'only the previous stop protects it' : 'the position is UNPROTECTED';
    notify(ctx, key, 'error', `${rec.symbol}: the stop was rejected ${order.attempts} times (${code} ${msg}); ${left}`);
    return;
  }
  const safety = safetyOf(ctx, rec, rule);
  const fallback = eq(price, safety) ? price : safety;
  const text = eq(fallback, price) ? `retrying the stop at ${price}` : `placing the safety stop −${ctx.cfg.safetyStopPct} % at ${safety} instead`;
  notify(ctx, key, 'warn', `${rec.symbol}: stop at ${price} rejected (${code} ${msg}); ${text}`);
  // A refused trader stop is dropped, or the worker would try to move back to it.
  if (!eq(fallback, price)) delete ctx.s.traderStops[traderStopKey(key, rec.direction)];
  if (order.gen === rec.gen) rec.stopPrice = fallback;
  const note = `Safety stop −${ctx.cfg.safetyStopPct} % placed at ${fallback} for ${rec.size} ${rec.symbol}`;
  replaceMember(ctx, rec, order, stopParams(rec, fallback, nextId(ctx, rec, 'sl')), eq(fallback, safety) ? note : order.acceptNote);
}

function hasLiveStop(rec: PositionRecord): boolean {
  return rec.orders.some((o) => o.role === 'stop' && o.status === 'live');
}

function onWouldTrigger(ctx: Ctx, rec: PositionRecord, order: ProtectiveOrder, code: number, msg: string): void {
  if (order.role === 'trail') {
    // The tier's activatePrice is already behind the price: the tier is reached, track from the latest price.
    const activate = order.params.activatePrice;
    if (activate !== undefined && order.attempts < ctx.cfg.maxPlaceAttempts) {
      rec.tier = Math.max(rec.tier, order.tier);
      if (rec.bestMark === null || isBetterMark(rec.direction, activate, rec.bestMark)) rec.bestMark = activate;
      const cb = order.params.callbackRate ?? '';
      replaceMember(ctx, rec, order, trailParams(rec, cb, null, nextId(ctx, rec, `t${order.tier}`)), null);
    } else fallbackToWorker(ctx, rec, order, code, msg);
    return;
  }
  removeOrder(rec, order);
  startClose(ctx, rec, `Stop would trigger immediately: closing ${rec.size} ${rec.symbol} at market (stop ${order.params.triggerPrice ?? '?'})`);
}

/**
 * Whether a price past `order`, a stop refused as already triggered, is past the position's current stop too: a stop
 * that closes this direction, which the current stop is at least as tight as (generations only tighten, but a
 * position that flipped keeps the orders of its former direction until they are cancelled).
 */
function pastCurrentStop(rec: PositionRecord, order: ProtectiveOrder): boolean {
  const trigger = order.params.triggerPrice;
  if (order.role !== 'stop' || trigger === undefined || rec.stopPrice === null || order.params.side !== closingSide(rec.direction)) return false;
  return rec.direction === 'long' ? gte(rec.stopPrice, trigger) : lte(rec.stopPrice, trigger);
}

function onRejected(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'algoRejected' }>): void {
  const found = findOrder(ctx, ev.clientAlgoId);
  if (found === null || found.order.status !== 'placing') return;
  const { rec, order } = found;
  if (ev.code === DUPLICATE_ID) {
    accept(ctx, rec, order, undefined);
    return;
  }
  if (!isOpen(rec) || order.cancelOnAccept) {
    removeOrder(rec, order);
    settle(ctx, rec);
    return;
  }
  if (order.gen !== rec.gen) {
    // An older generation's member: the current one supersedes it.
    removeOrder(rec, order);
    if (WOULD_TRIGGER.has(ev.code) && pastCurrentStop(rec, order)) {
      // ...unless the price is past it, and so past the current stop too: waiting for that one's own -2021 left a
      // position no stop for 1.08 s in a full soak, as a restarted worker's generations were refused one by one.
      startClose(ctx, rec, `Stop would trigger immediately: closing ${rec.size} ${rec.symbol} at market (stop ${order.params.triggerPrice ?? '?'})`);
      return;
    }
    ensureProtected(ctx, rec);
    settle(ctx, rec);
    return;
  }
  if (WOULD_TRIGGER.has(ev.code)) onWouldTrigger(ctx, rec, order, ev.code, ev.msg);
  else if (RETRY_SAME_ID.has(ev.code) && order.attempts < TRANSIENT_ATTEMPTS) {
    order.attempts += 1;
    sendPlace(ctx, rec, order.params);
  } else if (order.role === 'trail') fallbackToWorker(ctx, rec, order, ev.code, ev.msg);
  else onStopRejected(ctx, rec, order, ev.code, ev.msg);
}

/**
 * A stop still being placed at the runner's deadline: a new generation goes out beside it (new ids), as if the stop
 * were missing. Whichever lands first protects; once the new one is complete the overdue one is cancelled when it
 * lands (settle), and a -2021 on it closes at market as for any older generation's stop. Only one such generation
 * at a time: none while an older generation's stop is still being placed, so an outage that holds every placement
 * (a ban) does not pile generations up. Seed 3's soak at e470e52 had a stop in flight 3.4 s: its WebSocket answer
 * lost, then its REST copy held by a timeout fault.
 */
function onStopOverdue(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'stopOverdue' }>): void {
  const found = findOrder(ctx, ev.clientAlgoId);
  if (found === null) return;
  const { rec, order } = found;
  if (order.status !== 'placing' || order.role !== 'stop' || order.gen !== rec.gen || !isOpen(rec) || rec.closing !== null) return;
  if (rec.orders.some((o) => o.role === 'stop' && o.status === 'placing' && o.gen < rec.gen)) return;
  notify(ctx, keyOf(rec), 'warn', `${rec.symbol}: the stop is not confirmed yet; placing another beside it`);
  startGen(ctx, rec, 'reprotect');
}

function onCanceled(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'algoCanceled' }>): void {
  const found = findOrder(ctx, ev.clientAlgoId);
  if (found === null) return;
  const { rec, order } = found;
  removeOrder(rec, order);
  if (order.status !== 'canceling' && isOpen(rec)) {
    // Cancelled outside Strike (e.g. in Binance's app) while it protected the position: put it back.
    notify(ctx, keyOf(rec), 'warn', `${rec.symbol}: a protective order was cancelled outside Strike; placing it again`);
    if (order.gen === rec.gen) {
      rec.gaveUp = false;
      startGen(ctx, rec, 'reprotect');
    } else ensureProtected(ctx, rec);
  }
  settle(ctx, rec);
}

function onCancelFailed(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'cancelFailed' }>): void {
  const found = findOrder(ctx, ev.clientAlgoId);
  if (found === null || found.order.status !== 'canceling') return;
  const { rec, order } = found;
  const limit = RETRY_SAME_ID.has(ev.code) ? TRANSIENT_ATTEMPTS : ctx.cfg.maxCancelAttempts;
  if (ALREADY_GONE.has(ev.code)) {
    removeOrder(rec, order);
    settle(ctx, rec);
  } else if (order.cancelAttempts < limit) cancelOrder(ctx, rec, order);
  else notify(ctx, keyOf(rec), 'warn', `${rec.symbol}: could not cancel ${order.clientAlgoId} (${ev.code} ${ev.msg}); it is retried at the next reconcile`);
}

function onTriggered(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'algoTriggered' }>): void {
  const found = findOrder(ctx, ev.clientAlgoId);
  if (found === null || found.order.status === 'triggered') return;
  const { rec, order } = found;
  order.status = 'triggered';
  if (!isOpen(rec)) return;
  rec.frozen = true;
  const what = order.role === 'stop' ? `stop at ${order.params.triggerPrice ?? '?'}` : `ASL tier ${order.tier} trailing stop`;
  notify(ctx, keyOf(rec), 'warn', `${rec.symbol}: ${what} triggered; closing ${rec.size}`);
}

function onFinished(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'algoFinished' }>): void {
  const found = findOrder(ctx, ev.clientAlgoId);
  if (found === null) return;
  const { rec, order } = found;
  removeOrder(rec, order);
  if (ev.status !== 'FINISHED' && isOpen(rec)) {
    // It ended without closing the position (e.g. "Reduce Only reject"): the position needs protection again.
    rec.frozen = false;
    rec.gaveUp = false;
    notify(ctx, keyOf(rec), 'error', `${rec.symbol}: protective order ${order.clientAlgoId} ended ${ev.status} (${ev.reason}); placing protection again`);
    if (order.gen === rec.gen) startGen(ctx, rec, 'reprotect');
    else ensureProtected(ctx, rec);
  }
  settle(ctx, rec);
}

function onCloseResult(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'closeResult' }>): void {
  const rec = Object.values(ctx.s.positions).find((r) => r.closing?.clientOrderId === ev.clientOrderId);
  if (rec === undefined || rec.closing === null) return;
  const key = keyOf(rec);
  if (ev.ok) {
    // The position snapshot that follows flattens the record; until then no stop moves.
    notify(ctx, key, 'info', `${rec.symbol}: closed ${rec.size} at market`);
    rec.closing = null;
    rec.frozen = true;
  } else if (rec.closing.attempts < (ev.code !== null && RETRY_SAME_ID.has(ev.code) ? TRANSIENT_ATTEMPTS : ctx.cfg.maxCloseAttempts)) {
    retryClose(ctx, rec);
  } else {
    const attempts = rec.closing.attempts;
    rec.closing = null;
    const left = hasLiveStop(rec) ? 'the previous stop stays' : 'the position is UNPROTECTED';
    notify(ctx, key, 'error', `${rec.symbol}: market close failed ${attempts} times (${ev.code ?? '?'} ${ev.msg}); ${left}, act manually`);
    ensureProtected(ctx, rec);
  }
}

function onSymbolRules(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'symbolRules' }>): void {
  const rules = { ...ctx.s.rules };
  for (const r of ev.rules) rules[r.symbol] = { tickSize: normalize(r.tickSize), minPrice: normalize(r.minPrice) };
  ctx.s.rules = rules;
  for (const rec of Object.values(ctx.s.positions)) {
    if (rec.awaitingRules && ruleOf(ctx, rec.symbol) !== undefined) startGen(ctx, rec, 'entry');
  }
}

function handle(ctx: Ctx, ev: ProtectionEvent): void {
  if (provisionalOutcome(ctx, ev)) return;
  switch (ev.type) {
    case 'position':
      ctx.s.streamSeq[posKey(ev.symbol, ev.positionSide)] = ctx.s.seq;
      applyPosition(ctx, ev, { authoritative: true, place: true });
      settleProvisional(ctx, posKey(ev.symbol, ev.positionSide));
      return;
    case 'unconfirmedEntry':
      return onUnconfirmedEntry(ctx, ev);
    case 'fill':
      return onFill(ctx, ev);
    case 'mark':
      return onMark(ctx, ev);
    case 'traderStop':
      return onTraderStop(ctx, ev);
    case 'algoAccepted':
      return onAccepted(ctx, ev);
    case 'algoRejected':
      return onRejected(ctx, ev);
    case 'algoCanceled':
      return onCanceled(ctx, ev);
    case 'cancelFailed':
      return onCancelFailed(ctx, ev);
    case 'algoTriggered':
      return onTriggered(ctx, ev);
    case 'stopOverdue':
      return onStopOverdue(ctx, ev);
    case 'algoFinished':
      return onFinished(ctx, ev);
    case 'openAlgoOrders':
      return reconcile(ctx, ev, applyPosition);
    case 'symbolRules':
      return onSymbolRules(ctx, ev);
    case 'closeResult':
      return onCloseResult(ctx, ev);
    default:
      return assertNever(ev);
  }
}

/**
 * Advances the protection engine by one event. Pure and deterministic: the input state is not modified, time comes
 * from `event.atMs`, client ids from per-position counters in the state.
 */
export function step(state: ProtectionState, event: ProtectionEvent, config: ProtectionConfig): { state: ProtectionState; effects: Effect[] } {
  // The symbol rules (every listed symbol, hundreds on mainnet) are shared with the input, not copied: only
  // onSymbolRules changes them, and it replaces the map instead of writing into it. The rest is a plain-data copy,
  // a fraction of structuredClone's cost on this shape (which cost a fill's step 0.1-0.6 ms before its stop left).
  const { rules, ...rest } = state;
  const ctx: Ctx = { s: { ...copyPlain(rest), rules }, cfg: config, fx: [], atMs: event.atMs };
  ctx.s.seq += 1;
  handle(ctx, event);
  sweepProvisional(ctx);
  return { state: ctx.s, effects: ctx.fx };
}

/**
 * A deep copy of JSON-shaped data (plain objects, arrays and primitives: what ProtectionStateSchema admits).
 */
function copyPlain<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) items[i] = copyPlain<unknown>(value[i]);
    return items as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in value) out[k] = copyPlain<unknown>(value[k]);
  return out as T;
}
