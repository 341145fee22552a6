/**
 * Provisional stops (ProvisionalStopSchema): an entry that filled by its answer while the user stream has not
 * confirmed it is protected as if it opened a position on its own side, because the engine's view of that position
 * may be stale. A full soak had the private stream silent while a stop closed a short unseen; the next entry, a BUY
 * that opened a long, was applied to the short the engine still held and read as closing it, and the long went
 * 2.5 s without a stop while the positions re-read that would have shown it was refused by a 429 (reads carry
 * request weight; stops do not, §6). A reduce-only stop cannot open a position, so one placed for a reading that
 * turns out wrong costs nothing but its cancel. A report of the position from the stream or a read settles it: it
 * is cancelled once the position's own protection covers that side, or the position is not on that side.
 */
import { gte, normalize } from '../../shared/decimal.ts';
import { ALREADY_GONE, DUPLICATE_ID, RETRY_SAME_ID, TRANSIENT_ATTEMPTS } from './codes.ts';
import { isOpen, nextId, notify, ruleOf, type Ctx } from './engine.ts';
import { posKey } from './ids.ts';
import { stopParams } from './orders.ts';
import { safetyStop } from './pricing.ts';
import type { Direction, PositionRecord, ProtectionEvent, ProvisionalStop } from './schema.ts';

const directionOf = (positionSide: 'BOTH' | 'LONG' | 'SHORT', side: 'BUY' | 'SELL'): Direction =>
  positionSide === 'LONG' ? 'long' : positionSide === 'SHORT' ? 'short' : side === 'BUY' ? 'long' : 'short';

/** Whether the record holds `direction` with a live or placing stop for at least `qty`. */
function protects(rec: PositionRecord | undefined, direction: Direction, qty: string): boolean {
  if (rec === undefined || !isOpen(rec) || rec.direction !== direction || !gte(rec.size, qty)) return false;
  return rec.orders.some((o) => o.role === 'stop' && (o.status === 'live' || o.status === 'placing') && gte(o.params.quantity, qty));
}

function send(ctx: Ctx, id: string, p: ProvisionalStop): void {
  ctx.fx.push({ type: 'placeAlgo', posKey: p.posKey, params: p.params });
  ctx.s.provisional[id] = p;
}

function cancel(ctx: Ctx, id: string, p: ProvisionalStop): void {
  p.status = 'canceling';
  p.cancelAttempts += 1;
  ctx.fx.push({ type: 'cancelAlgo', posKey: p.posKey, symbol: p.params.symbol, clientAlgoId: id, ...(p.algoId === undefined ? {} : { algoId: p.algoId }) });
}

export function onUnconfirmedEntry(ctx: Ctx, ev: Extract<ProtectionEvent, { type: 'unconfirmedEntry' }>): void {
  const rule = ruleOf(ctx, ev.symbol);
  if (rule === undefined) return;
  const key = posKey(ev.symbol, ev.positionSide);
  const direction = directionOf(ev.positionSide, ev.side);
  const qty = normalize(ev.qty);
  if (protects(ctx.s.positions[key], direction, qty)) return;
  const pending = Object.values(ctx.s.provisional).some((p) => p.posKey === key && p.direction === direction && !p.settled && p.status !== 'canceling' && gte(p.params.quantity, qty));
  if (pending) return;
  const trigger = safetyStop(normalize(ev.price), direction, ctx.cfg.safetyStopPct, rule);
  const id = nextId(ctx, { symbol: ev.symbol, positionSide: ev.positionSide }, 'sl');
  const params = stopParams({ symbol: ev.symbol, positionSide: ev.positionSide, direction, size: qty }, trigger, id);
  send(ctx, id, { posKey: key, direction, params, status: 'placing', attempts: 1, cancelAttempts: 0, settled: false });
  notify(ctx, key, 'warn', `${ev.symbol}: the user stream has not confirmed an entry's fill; a provisional stop at ${trigger} protects ${qty} until the position is re-read`);
}

/** A report of the position under `key` (the stream's, or a read that covers it) settles its provisional stops. */
export function settleProvisional(ctx: Ctx, key: string): void {
  for (const p of Object.values(ctx.s.provisional)) if (p.posKey === key) p.settled = true;
}

/**
 * Handles an outcome for a provisional stop; false when `clientAlgoId` is not one. Refusals for a passing reason are
 * sent again under the same id (the runner paces them); any other refusal drops it with a warning, since the
 * position's own protection is unaffected.
 */
export function provisionalOutcome(ctx: Ctx, ev: ProtectionEvent): boolean {
  if (!('clientAlgoId' in ev)) return false;
  const id = ev.clientAlgoId;
  const p = ctx.s.provisional[id];
  if (p === undefined) return false;
  switch (ev.type) {
    case 'algoAccepted':
      if (p.status === 'placing') {
        p.status = 'live';
        p.liveSeq = ctx.s.seq;
      }
      p.algoId = ev.algoId;
      return true;
    case 'algoRejected':
      if (p.status !== 'placing') return true;
      if (ev.code === DUPLICATE_ID) {
        p.status = 'live';
        p.liveSeq = ctx.s.seq;
      } else if (RETRY_SAME_ID.has(ev.code) && p.attempts < TRANSIENT_ATTEMPTS && !p.settled) {
        p.attempts += 1;
        send(ctx, id, p);
      } else {
        delete ctx.s.provisional[id];
        if (!p.settled) notify(ctx, p.posKey, 'warn', `${p.params.symbol}: the provisional stop was refused (${ev.code} ${ev.msg}); the position is re-read`);
      }
      return true;
    case 'algoCanceled':
    case 'algoFinished':
      delete ctx.s.provisional[id];
      return true;
    case 'algoTriggered':
      p.status = 'triggered';
      return true;
    case 'cancelFailed':
      if (ALREADY_GONE.has(ev.code)) delete ctx.s.provisional[id];
      else if (RETRY_SAME_ID.has(ev.code) && p.cancelAttempts < TRANSIENT_ATTEMPTS) cancel(ctx, id, p);
      return true;
    default:
      return true;
  }
}

/**
 * After every step: a settled provisional stop goes once it is not needed, that is once the position under its key
 * is not on its side, or is and has a live stop of its own. One still being placed goes after its accept.
 */
export function sweepProvisional(ctx: Ctx): void {
  for (const [id, p] of Object.entries(ctx.s.provisional)) {
    if (!p.settled || p.status !== 'live') continue;
    const rec = ctx.s.positions[p.posKey];
    const onSide = rec !== undefined && isOpen(rec) && rec.direction === p.direction;
    if (!onSide || rec.orders.some((o) => o.role === 'stop' && o.status === 'live')) cancel(ctx, id, p);
  }
}

/**
 * A read of open algo orders that covers `key`: a provisional stop it lists is live (its accept may have been
 * lost), one it lacks is gone unless it became live after the read was sent. Takes the ones it finds out of
 * `resident`, so the reconcile neither adopts nor cancels them as orders it does not know.
 */
export function reconcileProvisional(ctx: Ctx, resident: Map<string, { algoId: string }>, sinceSeq: number | undefined): void {
  for (const [id, p] of Object.entries(ctx.s.provisional)) {
    const r = resident.get(id);
    if (r !== undefined) {
      resident.delete(id);
      p.algoId = r.algoId;
      if (p.status === 'placing') {
        p.status = 'live';
        p.liveSeq = ctx.s.seq;
      } else if (p.status === 'canceling') {
        p.cancelAttempts = 0;
        cancel(ctx, id, p);
      }
    } else if (p.status !== 'placing' && (sinceSeq === undefined || (p.liveSeq ?? 0) <= sinceSeq)) {
      delete ctx.s.provisional[id];
    }
  }
}
