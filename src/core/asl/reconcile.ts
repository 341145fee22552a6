/**
 * Startup / reconnect reconcile from a fresh read of positions and open algo orders (`GET /fapi/v2/positionRisk`,
 * `GET /fapi/v1/openAlgoOrders`, fact sheet §3): known orders are brought up to date, resident orders of ours that
 * the state has lost are adopted when they fit the position and cancelled otherwise, and any open position left
 * without a full protective set gets one at once. Orders whose clientAlgoId is not ours are the trader's own and are
 * never touched.
 */
import { eq, isZero } from '../../shared/decimal.ts';
import { cancelOrder, dropIfDone, ensureProtected, isOpen, keyOf, notify, removeOrder, settle, startGen, type Ctx } from './engine.ts';
import { isOurIdFor, parseClientId, posKey } from './ids.ts';
import { closingSide, stopParams, trailParams } from './orders.ts';
import { reconcileProvisional, settleProvisional } from './provisional.ts';
import type { Change } from './reducer.ts';
import type { OpenAlgoOrder, PositionRecord, PositionSnapshot, ProtectionEvent, ProtectiveOrder } from './schema.ts';

type ApplyPosition = (ctx: Ctx, p: PositionSnapshot, opts: { authoritative: boolean; place: boolean; asOfMs?: number | undefined }) => Change;

const present = (x: string | undefined): string | null => (x === undefined || isZero(x) ? null : x);

/** True when the current generation covers the full size with a stop (and, in native mode, every tier still due). */
function hasCompleteSet(ctx: Ctx, rec: PositionRecord): boolean {
  const cur = rec.orders.filter((o) => o.gen === rec.gen && (o.status === 'live' || o.status === 'placing'));
  if (!cur.some((o) => o.role === 'stop')) return false;
  if (cur.some((o) => !eq(o.params.quantity, rec.size))) return false;
  if (rec.mode !== 'native') return true;
  for (let n = Math.max(rec.tier, 1); n <= ctx.cfg.tiers.length; n++) {
    if (!cur.some((o) => o.role === 'trail' && o.tier === n)) return false;
  }
  return true;
}

function adoptedOrder(ctx: Ctx, rec: PositionRecord, r: OpenAlgoOrder, role: ProtectiveOrder['role'], tier: number, params: ProtectiveOrder['params']): ProtectiveOrder {
  return {
    clientAlgoId: r.clientAlgoId,
    algoId: r.algoId,
    gen: rec.gen,
    role,
    tier,
    params,
    status: 'live',
    attempts: 1,
    cancelAttempts: 0,
    cancelOnAccept: false,
    acceptNote: null,
    liveSeq: ctx.s.seq,
  };
}

/**
 * Whether the read can speak for this position: not when the user stream changed it after the read was sent (the
 * read is older; applying it would, e.g., turn a new short back into the long it replaced and cancel its stops).
 */
function readCovers(ctx: Ctx, sinceSeq: number | undefined, key: string): boolean {
  return sinceSeq === undefined || (ctx.s.streamSeq[key] ?? 0) <= sinceSeq;
}

/**
 * Whether a known order missing from the read is really gone. An order that became live after the read was sent
 * may simply not have existed yet when the exchange answered: dropping it would forget a resting order, which then
 * outlives its position (nothing cancels what the state does not know) until the next reconcile. Nor does the read
 * speak for a placement still running in this worker: its outcome decides. Dropped, it left the position looking
 * unprotected, a second generation was placed beside it, and the first was cancelled when its accept came (a full
 * soak after a worker restart: two stops and six tiers for one short). A placement restored from an earlier worker
 * is not running here; the read is what tells of it.
 */
function missingMeansGone(ev: Extract<ProtectionEvent, { type: 'openAlgoOrders' }>, o: ProtectiveOrder): boolean {
  if (o.status === 'placing') return !(ev.inFlight ?? []).includes(o.clientAlgoId);
  if (ev.sinceSeq === undefined || o.status === 'triggered') return true;
  return (o.liveSeq ?? 0) <= ev.sinceSeq;
}

/** Adopts a resident order of ours into the current generation when it protects this position's full size. */
function adopt(ctx: Ctx, rec: PositionRecord, r: OpenAlgoOrder, kind: string): boolean {
  if (r.side !== closingSide(rec.direction) || !eq(r.quantity, rec.size)) return false;
  const current = rec.orders.filter((o) => o.gen === rec.gen && (o.status === 'live' || o.status === 'placing'));
  if (kind === 'sl') {
    const trigger = present(r.triggerPrice);
    if (r.orderType !== 'STOP_MARKET' || trigger === null || current.some((o) => o.role === 'stop')) return false;
    rec.orders.push(adoptedOrder(ctx, rec, r, 'stop', 0, stopParams(rec, trigger, r.clientAlgoId)));
    // The resident stop is what protects now; the ratchet continues from it.
    rec.stopPrice = trigger;
  } else {
    const n = Number(kind.slice(1));
    const tier = ctx.cfg.tiers[n - 1];
    const cb = present(r.callbackRate);
    if (rec.mode !== 'native' || r.orderType !== 'TRAILING_STOP_MARKET' || tier === undefined || cb === null || !eq(cb, tier.trailPct)) return false;
    if (current.some((o) => o.role === 'trail' && o.tier === n)) return false;
    rec.orders.push(adoptedOrder(ctx, rec, r, 'trail', n, trailParams(rec, cb, present(r.activatePrice), r.clientAlgoId)));
  }
  if (rec.firstProtectedAtMs === null) rec.firstProtectedAtMs = ctx.atMs;
  return true;
}

/** Handles the `openAlgoOrders` event. */
export function reconcile(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'openAlgoOrders' }>, applyPosition: ApplyPosition): void {
  // Ids already on the exchange must never be reused (-4116): move each position's counter past them.
  for (const r of ev.orders) {
    const parsed = parseClientId(r.clientAlgoId);
    if (parsed === null || !isOurIdFor(r.clientAlgoId, r.symbol, r.positionSide)) continue;
    const key = posKey(r.symbol, r.positionSide);
    ctx.s.counters[key] = Math.max(ctx.s.counters[key] ?? 0, parsed.n);
  }

  // Orders the state knows: bring their status up to date.
  const resident = new Map(ev.orders.map((o) => [o.clientAlgoId, o]));
  reconcileProvisional(ctx, resident, ev.sinceSeq);
  for (const rec of Object.values(ctx.s.positions)) {
    for (const o of [...rec.orders]) {
      const r = resident.get(o.clientAlgoId);
      if (r === undefined) {
        // Gone while we were away (triggered, cancelled, or never placed), unless it is newer than the read.
        if (missingMeansGone(ev, o)) removeOrder(rec, o);
        continue;
      }
      resident.delete(o.clientAlgoId);
      o.algoId = r.algoId;
      if (o.status === 'placing') {
        o.status = 'live';
        o.liveSeq = ctx.s.seq;
        if (o.cancelOnAccept) cancelOrder(ctx, rec, o);
        else if (o.role === 'stop' && rec.firstProtectedAtMs === null && isOpen(rec)) rec.firstProtectedAtMs = ctx.atMs;
      } else if (o.status === 'canceling') {
        // The cancel was lost or failed: it is still there, so cancel again with a fresh budget.
        o.cancelAttempts = 0;
        cancelOrder(ctx, rec, o);
      }
    }
  }

  // Positions: the list is complete, so a known position missing from it is flat. Positions the stream changed
  // after the read was sent keep the stream's (newer) view.
  const changes = new Map<string, Change>();
  const stale = new Set<string>();
  for (const p of ev.positions) {
    const key = posKey(p.symbol, p.positionSide);
    if (readCovers(ctx, ev.sinceSeq, key)) changes.set(key, applyPosition(ctx, p, { authoritative: true, place: false, asOfMs: ev.positionTimes?.[key] }));
    else stale.add(key);
  }
  for (const rec of Object.values(ctx.s.positions)) {
    const key = keyOf(rec);
    if (!readCovers(ctx, ev.sinceSeq, key)) stale.add(key);
    else if (isOpen(rec) && !changes.has(key)) {
      const flat = { symbol: rec.symbol, positionSide: rec.positionSide, amount: '0', entryPrice: '0' };
      applyPosition(ctx, flat, { authoritative: true, place: false, asOfMs: ev.positionTimes?.[key] });
    }
  }
  for (const p of Object.values(ctx.s.provisional)) if (readCovers(ctx, ev.sinceSeq, p.posKey)) settleProvisional(ctx, p.posKey);
  // A key the read reports flat that holds no record, only the snapshot time kept against late fills: a fill
  // after the row's last change is not in the read, whatever that kept time says.
  for (const [key, atMs] of Object.entries(ev.positionTimes ?? {})) {
    const kept = ctx.s.snapshots[key] !== undefined && ctx.s.positions[key] === undefined;
    if (kept && !changes.has(key) && readCovers(ctx, ev.sinceSeq, key)) ctx.s.snapshots[key] = atMs;
  }

  // Resident orders of ours the state does not know: adopt what fits an open position, cancel the rest.
  for (const r of resident.values()) {
    const parsed = parseClientId(r.clientAlgoId);
    if (parsed === null || parsed.kind === 'cl' || !isOurIdFor(r.clientAlgoId, r.symbol, r.positionSide)) continue;
    const key = posKey(r.symbol, r.positionSide);
    const rec = ctx.s.positions[key];
    if (rec !== undefined && isOpen(rec) && adopt(ctx, rec, r, parsed.kind)) continue;
    ctx.fx.push({ type: 'cancelAlgo', posKey: key, symbol: r.symbol, clientAlgoId: r.clientAlgoId, algoId: r.algoId });
    notify(ctx, key, 'info', `${r.symbol}: cancelling leftover protective order ${r.clientAlgoId}`);
  }

  // Place whatever is missing; a position found without protection gets it at once.
  for (const rec of Object.values(ctx.s.positions)) {
    if (!isOpen(rec)) {
      dropIfDone(ctx, rec);
      continue;
    }
    if (stale.has(keyOf(rec))) {
      // The stream's view stands; only an order the read proved gone may have left it without a stop.
      ensureProtected(ctx, rec);
      settle(ctx, rec);
      continue;
    }
    rec.gaveUp = false;
    rec.frozen = false;
    // Still open after a market close was sent: that close failed or its answer was lost. Protect again; if the
    // price is still past the stop, the exchange answers -2021 and the close is sent once more.
    rec.closing = null;
    const change = changes.get(keyOf(rec));
    if (change === 'resized') startGen(ctx, rec, 'resize');
    else if (!hasCompleteSet(ctx, rec)) startGen(ctx, rec, change === 'new' ? 'entry' : 'reprotect');
    else settle(ctx, rec);
  }
}
