/**
 * The soak's audit: pure functions over what the exchange recorded (its ledger, stamped with wall time as entries
 * appeared) and what Strike recorded (the order journal in chrome.storage.session and the trader's journal in
 * IndexedDB). Each check returns counts and violations; nothing here talks to the browser or the exchange.
 */
import { abs, cmp, isNegative, isZero } from '../../src/shared/decimal.ts';
import { parseClientOrderId } from '../../src/core/intents.ts';
import type { JournalEntry as OrderJournalEntry } from '../../src/core/journal.ts';
import type { JournalEntry as ActivityEntry } from '../../src/shared/messages.ts';
import type { LedgerEntry } from '../../sim/server.ts';

/** A ledger entry with the wall-clock time the harness saw it appear (exchange time moves with clock-skew faults). */
export interface StampedEntry {
  readonly entry: LedgerEntry;
  readonly wallMs: number;
}

/** What the trader (the harness, acting as the panel) got back for one request. */
export interface TraderAnswer {
  readonly request: 'order.submit' | 'position.close' | 'flatten';
  /** `lost`: the worker was stopped before it answered; `timeout`: no answer within the harness's bound. */
  readonly outcome: 'ok' | 'error' | 'lost' | 'timeout';
  readonly clientOrderId?: string;
  readonly code?: string;
  /** The error's message (truncated), for the report's list of distinct failures. */
  readonly message?: string;
  readonly atMs: number;
}

/**
 * A fault or worker stop the harness caused, or a close/flatten the trader made (`trader …`), for attributing a
 * violation to what was going on at the time.
 */
export interface FaultEvent {
  readonly kind: string;
  readonly wallMs: number;
  readonly detail: string;
}

export interface CheckResult {
  readonly name: string;
  /** How many things the check looked at (intents, positions, orders, entries). */
  readonly checked: number;
  readonly violations: string[];
  /** Measurements worth printing (worst gap, worst orphan time, …). */
  readonly stats: Record<string, number | string>;
}

const FINAL_STATES = new Set(['acked', 'filled', 'rejected', 'canceled', 'final']);
const ALGO_END = new Set(['algo.canceled', 'algo.expired', 'algo.triggered', 'algo.finished', 'algo.rejected']);
const PROTECTIVE_ID = /^(sl|t\d)-/;
const STOP_ID = /^sl-/;

/**
 * Faults injected in the `windowMs` before `atMs` (up to 1 s after), and trader closes/flattens answered within 2 s
 * after it, named for a violation's message.
 */
export function faultsNear(faults: readonly FaultEvent[], atMs: number, windowMs = 5_000): string {
  const inWindow = (f: FaultEvent): boolean =>
    f.kind.startsWith('trader ') ? f.wallMs >= atMs - 200 && f.wallMs <= atMs + 2_000 : f.wallMs >= atMs - windowMs && f.wallMs <= atMs + 1_000;
  const near = faults.filter(inWindow).map((f) => `${f.kind}(${f.detail}) ${f.wallMs - atMs}ms`);
  return near.length === 0 ? 'no fault nearby' : near.join(', ');
}

/** A Chromium re-send lands within this long of the request it repeats (it follows the 408 answer at once). */
export const REPLAY_WINDOW_MS = 1_000;

/** One exchange order that repeats an earlier one under the same client id. */
export interface Duplicate {
  /** A trader order (`stk-`, POST /fapi/v1/order) or a protective algo order (`sl-`/`tN-`, POST /fapi/v1/algoOrder). */
  readonly kind: 'order' | 'algo';
  readonly clientOrderId: string;
  /** The trader intent (`stk-` ids); the protective id itself for algo orders. */
  readonly intentId: string;
  readonly symbol: string;
  readonly firstOrderId: string;
  readonly firstMs: number;
  /** The exchange's `orderId`, or `algoId` for an algo order. */
  readonly orderId: string;
  readonly placedMs: number;
  /** Reduce-only or close-position: the replay guard leaves it (undoing it would re-open a position). */
  readonly closing: boolean;
  /** The 408 fault (campaign fault log) it is attributed to; null when none is available: then it is not a replay. */
  readonly fault: FaultEvent | null;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** An injected HTTP 408 timeout that executes the order before answering, on the path `prefix` starts with. */
function is408Executed(f: FaultEvent, path: string): boolean {
  return f.kind === 'timeoutExecuted' && f.detail.includes('"status":408') && f.detail.includes(`"pathPrefix":"${path}"`);
}

/**
 * Splits the second and later exchange orders of one trader client id into browser re-sends and the rest. A
 * re-send is Chromium repeating a request on a reused keep-alive connection after HTTP 408
 * (src/background/trading/replay-guard.ts; fact sheet §5 for -1007 with 408): it carries the very same client id
 * (Strike never sends one id twice: a new attempt gets `-<attempt>`), lands within {@link REPLAY_WINDOW_MS} of the
 * first, and needs an executed-408 fault on its path (POST /fapi/v1/order, or /fapi/v1/algoOrder for a protective
 * `sl-`/`tN-` id, which the exchange accepts again once the first has triggered) injected before the first order,
 * each fault explaining at most one re-send (matched oldest first, as the exchange consumes them). Anything else is
 * Strike's.
 */
export function findDuplicates(ledger: readonly StampedEntry[], faults: readonly FaultEvent[]): Duplicate[] {
  const first = new Map<string, { orderId: string; wallMs: number }>();
  const candidates: Omit<Duplicate, 'fault'>[] = [];
  for (const { entry, wallMs } of ledger) {
    const kind = entry.kind === 'order.placed' ? 'order' : entry.kind === 'algo.placed' ? 'algo' : null;
    if (kind === null) continue;
    const cid = str(entry.data[kind === 'order' ? 'clientOrderId' : 'clientAlgoId']);
    const intentId = kind === 'order' ? (parseClientOrderId(cid)?.intentId ?? null) : PROTECTIVE_ID.test(cid) ? cid : null;
    if (intentId === null) continue;
    const orderId = str(entry.data[kind === 'order' ? 'orderId' : 'algoId']);
    const seen = first.get(`${kind}:${cid}`);
    if (seen === undefined) {
      first.set(`${kind}:${cid}`, { orderId, wallMs });
      continue;
    }
    candidates.push({
      kind,
      clientOrderId: cid,
      intentId,
      symbol: entry.symbol ?? '',
      firstOrderId: seen.orderId,
      firstMs: seen.wallMs,
      orderId,
      placedMs: wallMs,
      closing: kind === 'algo' || entry.data['reduceOnly'] === true || entry.data['closePosition'] === true,
    });
  }
  const timeouts = faults.filter((f) => is408Executed(f, '/fapi/v1/order') || is408Executed(f, '/fapi/v1/algoOrder')).sort((a, b) => a.wallMs - b.wallMs);
  const used = new Set<FaultEvent>();
  return candidates.map((c) => {
    const path = c.kind === 'order' ? '/fapi/v1/order' : '/fapi/v1/algoOrder';
    const fits = (f: FaultEvent): boolean => !used.has(f) && f.wallMs <= c.firstMs && is408Executed(f, path);
    const fault = c.placedMs - c.firstMs <= REPLAY_WINDOW_MS ? (timeouts.find(fits) ?? null) : null;
    if (fault !== null) used.add(fault);
    return { ...c, fault };
  });
}

/**
 * The kinds of faults injected in the `windowMs` before `atMs` (up to 1 s after), WebSocket ones with the stream
 * they hit (`wsDrop /private`), and `INTERNAL` when Strike answered the trader INTERNAL in that window (its handlers
 * were failing); `none` when nothing was going on.
 */
export function causesNear(faults: readonly FaultEvent[], atMs: number, windowMs = 5_000): string[] {
  const kinds = new Set<string>();
  for (const f of faults) {
    if (f.wallMs < atMs - windowMs || f.wallMs > atMs + 1_000) continue;
    if (f.kind.startsWith('trader ')) {
      if (f.detail.includes('INTERNAL')) kinds.add('INTERNAL');
      continue;
    }
    const path = /"pathPrefix":"([^"]*)"/.exec(f.detail)?.[1];
    kinds.add(f.kind === 'wsDrop' || f.kind === 'wsSilence' ? `${f.kind} ${path ?? '?'}` : f.kind);
  }
  return kinds.size === 0 ? ['none'] : [...kinds].sort();
}

/**
 * The one cause a violation is counted under: the first of these present, from what stalls Strike outright (its own
 * failures, a worker stop, a 418 ban or a 429 hold on all requests) to what stalls one path (a stream, one request).
 */
const CAUSE_ORDER = [
  'INTERNAL',
  'workerStop',
  'ban418',
  'rate429',
  'wsDrop /private',
  'wsSilence /private',
  'listenKeyExpire',
  'wsDrop /ws-fapi',
  'wsSilence /ws-fapi',
  'wsDrop /',
  'timeoutExecuted',
  'timeoutNotExecuted',
  'http5xx',
  'drop',
] as const;

/** The bucket of a violation whose nearby causes are `causes` ({@link causesNear}). */
export function primaryCause(causes: readonly string[]): string {
  return CAUSE_ORDER.find((c) => causes.includes(c)) ?? (causes[0] === 'none' ? 'none' : 'other');
}

function countCause(into: Record<string, number>, causes: readonly string[]): void {
  const key = `cause:${primaryCause(causes)}`;
  into[key] = (into[key] ?? 0) + 1;
}

/**
 * Exactly-once: at most one `order.placed` per trader intent across its attempts (`stk-<intent>[-<attempt>]`), and
 * at most one placement per protector id (`sl-`, `tN-`, `cl-` ids are reused across attempts of one order). Browser
 * re-sends ({@link findDuplicates}) are not Strike's doing and have their own line ({@link checkReplays}); they are
 * counted here, and every other second order is a violation.
 */
export function checkExactlyOnce(ledger: readonly StampedEntry[], faults: readonly FaultEvent[] = []): CheckResult {
  const dups = findDuplicates(ledger, faults).filter((d) => d.fault !== null);
  const replays = new Set(dups.filter((d) => d.kind === 'order').map((d) => d.orderId));
  const algoReplays = new Set(dups.filter((d) => d.kind === 'algo').map((d) => d.orderId));
  const perIntent = new Map<string, string[]>();
  const perProtectiveId = new Map<string, { wallMs: number; seq: number }[]>();
  for (const { entry, wallMs } of ledger) {
    if (entry.kind === 'order.placed') {
      const cid = str(entry.data['clientOrderId']);
      const parsed = parseClientOrderId(cid);
      if (parsed !== null) {
        if (!replays.has(str(entry.data['orderId']))) perIntent.set(parsed.intentId, [...(perIntent.get(parsed.intentId) ?? []), `${cid}@${entry.seq}`]);
      } else if (cid.startsWith('cl-')) perProtectiveId.set(cid, [...(perProtectiveId.get(cid) ?? []), { wallMs, seq: entry.seq }]);
    } else if (entry.kind === 'algo.placed' && !algoReplays.has(str(entry.data['algoId']))) {
      const cid = str(entry.data['clientAlgoId']);
      perProtectiveId.set(cid, [...(perProtectiveId.get(cid) ?? []), { wallMs, seq: entry.seq }]);
    }
  }
  const violations: string[] = [];
  for (const [intent, ids] of perIntent) if (ids.length > 1) violations.push(`intent ${intent} produced ${ids.length} orders: ${ids.join(', ')} (id@ledger seq)`);
  for (const [id, places] of perProtectiveId) {
    if (places.length < 2) continue;
    const apart = Math.round(((places[places.length - 1]?.wallMs ?? 0) - (places[0]?.wallMs ?? 0)) / 1000);
    violations.push(`protective id ${id} was placed ${places.length} times, ${apart} s apart (ledger seq ${places.map((p) => p.seq).join(', ')})`);
  }
  const retried = [...perIntent.values()].filter((ids) => ids.some((id) => parseClientOrderId(id.split('@')[0] ?? '')?.attempt !== 0)).length;
  return {
    name: 'one order per intent',
    checked: perIntent.size + perProtectiveId.size,
    violations,
    stats: { traderIntentsPlaced: perIntent.size, placedUnderALaterAttempt: retried, protectiveIds: perProtectiveId.size, browserReSendsSeparately: dups.length },
  };
}

/**
 * Browser re-sends are undone: each duplicate {@link findDuplicates} attributes to a 408 must stop adding exposure
 * within `boundMs`: canceled while it rests, closed at market by the replay guard's `dup-<orderId>` order, expired
 * unfilled, or gone with its position (a close that came first). A closing duplicate is left as it is, by design
 * (replay-guard.ts), and counted. A re-sent protective algo order must leave the book within `boundMs` too.
 * Reports how long each took.
 */
export function checkReplays(ledger: readonly StampedEntry[], faults: readonly FaultEvent[], endMs: number, boundMs = 5_000): CheckResult {
  const dups = findDuplicates(ledger, faults).filter((d) => d.fault !== null);
  const violations: string[] = [];
  const times: number[] = [];
  const how: Record<string, number> = { canceled: 0, closedByGuard: 0, expiredUnfilled: 0, goneWithPosition: 0, closingLeft: 0, algoEnded: 0 };
  for (const d of dups) {
    if (d.kind === 'algo') {
      // A second resident stop would close (part of) the next position: it must go, like an orphan, but sooner.
      const ended = ledger.find((s) => s.wallMs >= d.placedMs && ALGO_END.has(s.entry.kind) && str(s.entry.data['algoId']) === d.orderId);
      const tookMs = (ended?.wallMs ?? endMs) - d.placedMs;
      times.push(tookMs);
      if (ended !== undefined) how['algoEnded'] = (how['algoEnded'] ?? 0) + 1;
      if (ended === undefined || tookMs > boundMs) violations.push(`re-send of protective ${d.clientOrderId} (algo ${d.orderId}, first ${d.firstOrderId}) ${ended === undefined ? 'still resident at the end' : `ended (${ended.entry.kind}) after ${tookMs} ms`}`);
      continue;
    }
    if (d.closing) {
      how['closingLeft'] = (how['closingLeft'] ?? 0) + 1;
      continue;
    }
    const after = ledger.filter((s) => s.wallMs >= d.placedMs);
    const guardId = `dup-${d.orderId}`.slice(0, 36);
    const guardOrderIds = new Set(after.filter((s) => s.entry.kind === 'order.placed' && str(s.entry.data['clientOrderId']) === guardId).map((s) => str(s.entry.data['orderId'])));
    const filled = after.some((s) => s.entry.kind === 'fill' && str(s.entry.data['orderId']) === d.orderId);
    const ends: { how: string; atMs: number }[] = [];
    const canceled = after.find((s) => s.entry.kind === 'order.canceled' && str(s.entry.data['orderId']) === d.orderId);
    if (canceled !== undefined && !filled) ends.push({ how: 'canceled', atMs: canceled.wallMs });
    const expired = after.find((s) => s.entry.kind === 'order.expired' && str(s.entry.data['orderId']) === d.orderId);
    if (expired !== undefined && !filled) ends.push({ how: 'expiredUnfilled', atMs: expired.wallMs });
    const guardFill = after.find((s) => s.entry.kind === 'fill' && guardOrderIds.has(str(s.entry.data['orderId'])));
    if (filled && guardFill !== undefined) ends.push({ how: 'closedByGuard', atMs: guardFill.wallMs });
    const flat = after.find((s) => s.entry.kind === 'position' && s.entry.accountId === 'demo' && s.entry.symbol === d.symbol && isZero(str(s.entry.data['positionAmt']) || '0'));
    if (filled && flat !== undefined) ends.push({ how: 'goneWithPosition', atMs: flat.wallMs });
    const end = ends.sort((a, b) => a.atMs - b.atMs)[0];
    const tookMs = (end?.atMs ?? endMs) - d.placedMs;
    times.push(tookMs);
    if (end !== undefined) how[end.how] = (how[end.how] ?? 0) + 1;
    const guard = guardOrderIds.size === 0 ? `no ${guardId} close reached the exchange` : `guard close ${guardId}${guardFill === undefined ? ' unfilled' : ''}`;
    if (end === undefined || tookMs > boundMs) {
      violations.push(`re-send of ${d.clientOrderId} (order ${d.orderId}, first ${d.firstOrderId}) ${end === undefined ? 'never undone' : `undone (${end.how}) after ${tookMs} ms`}; ${guard}`);
    }
  }
  times.sort((a, b) => a - b);
  return {
    name: `browser re-sends (HTTP 408) undone within ${boundMs} ms`,
    checked: dups.length,
    violations,
    stats: { reSends: dups.length, ...how, medianUndoMs: times[Math.floor(times.length / 2)] ?? 0, worstUndoMs: times[times.length - 1] ?? 0 },
  };
}

/** What the campaign read of the order journal (chrome.storage.session) at one moment. */
export interface OrderJournalSnapshot {
  readonly atMs: number;
  readonly entries: readonly OrderJournalEntry[];
}

/** How long settled order-journal entries are kept before the worker prunes them (worker-ports.ts, SETTLED_KEEP_MS). */
export const JOURNAL_KEEP_MS = 10 * 60_000;
/** And how many, newest first (worker-ports.ts, SETTLED_KEEP_MAX): older ones may go before `JOURNAL_KEEP_MS`. */
export const JOURNAL_KEEP_MAX = 2_000;
/** The states the worker counts as settled when it prunes (worker-ports.ts, SETTLED). */
const PRUNABLE = new Set(['acked', 'rejected', 'filled', 'canceled', 'final', 'unknown']);

/**
 * Every intent has a final outcome: each order-journal entry ended in a terminal state (not pending, sent,
 * reconciling or unknown), every trader order the exchange placed is in the journal, and every order the trader
 * was told about is in the journal. The worker prunes settled entries `keepMs` after their last update, so an
 * entry the final read lacks must have been seen by an earlier read (the campaign reads it at every worker stop,
 * far more often than `keepMs`, so the last read that had it holds its last version), in a terminal state, with its
 * last update at least `keepMs` before the first read that lacked it.
 */
export function checkOutcomes(
  ledger: readonly StampedEntry[],
  orderJournal: readonly OrderJournalEntry[],
  answers: readonly TraderAnswer[],
  earlier: readonly OrderJournalSnapshot[] = [],
  endMs = Number.POSITIVE_INFINITY,
  keepMs = JOURNAL_KEEP_MS,
  keepMax = JOURNAL_KEEP_MAX,
): CheckResult {
  const violations: string[] = [];
  const reads = [...earlier].sort((a, b) => a.atMs - b.atMs).concat([{ atMs: endMs, entries: orderJournal }]);
  /** Per intent: its latest version and the first read after it that lacked it. */
  const known = new Map<string, { entry: OrderJournalEntry; goneAtMs: number | null; newerWhenGone: number }>();
  for (const read of reads) {
    const here = new Set<string>();
    for (const e of read.entries) {
      here.add(e.intentId);
      known.set(e.intentId, { entry: e, goneAtMs: null, newerWhenGone: 0 });
    }
    const settledTimes = read.entries.filter((e) => PRUNABLE.has(e.state)).map((e) => e.times.updatedMs);
    for (const [id, k] of known) {
      if (here.has(id) || k.goneAtMs !== null) continue;
      k.goneAtMs = read.atMs;
      // Pruned by count: the read that lacks it holds at least keepMax settled entries no older than it (the journal
      // keeps the newest by last update; entries updated in the same millisecond are kept in either order).
      k.newerWhenGone = settledTimes.filter((t) => t >= k.entry.times.updatedMs).length;
    }
  }
  let pruned = 0;
  for (const { entry: e, goneAtMs, newerWhenGone } of known.values()) {
    const what = `${e.intent.kind} ${e.clientOrderId} (intent ${e.intentId})`;
    if (!FINAL_STATES.has(e.state)) violations.push(`${what} ended ${e.state}${goneAtMs === null ? '' : ' and was then dropped from the journal'}${e.error === null ? '' : `: ${e.error.message}`}`);
    else if (goneAtMs !== null && goneAtMs - e.times.updatedMs < keepMs && newerWhenGone < keepMax) {
      violations.push(`${what} left the journal ${Math.round((goneAtMs - e.times.updatedMs) / 1000)} s after it settled, with ${newerWhenGone} newer settled entries (kept ${keepMs / 1000} s or the newest ${keepMax})`);
    } else if (goneAtMs !== null) pruned += 1;
  }
  let traderPlaced = 0;
  for (const { entry } of ledger) {
    if (entry.kind !== 'order.placed') continue;
    const parsed = parseClientOrderId(str(entry.data['clientOrderId']));
    if (parsed === null) continue;
    traderPlaced += 1;
    if (!known.has(parsed.intentId)) violations.push(`order ${str(entry.data['clientOrderId'])} is on the exchange but was never in Strike's order journal`);
  }
  const told = answers.filter((a) => a.outcome === 'ok' && a.clientOrderId !== undefined);
  for (const a of told) {
    const cid = a.clientOrderId ?? '';
    const parsed = parseClientOrderId(cid);
    if (parsed === null || !known.has(parsed.intentId)) violations.push(`${a.request} answered ${cid}, which the order journal never held`);
  }
  const states: Record<string, number> = { prunedAfterSettling: pruned, journalReads: reads.length };
  for (const { entry: e } of known.values()) states[`${e.intent.kind}:${e.state}`] = (states[`${e.intent.kind}:${e.state}`] ?? 0) + 1;
  return { name: 'every intent has a final outcome', checked: known.size + traderPlaced + told.length, violations, stats: states };
}

interface AlgoLife {
  readonly clientAlgoId: string;
  readonly side: string;
  readonly symbol: string;
  readonly positionSide: string;
  readonly quantity: string;
  readonly placedMs: number;
  endMs: number | null;
}

interface Interval {
  readonly key: string;
  readonly fromMs: number;
  readonly toMs: number | null;
  readonly seq: number;
  /** Signed positionAmt from each change on: a stop must be on the closing side and cover the size to count. */
  readonly amounts: { atMs: number; amount: string }[];
}

function algoLives(ledger: readonly StampedEntry[]): AlgoLife[] {
  const lives = new Map<string, AlgoLife>();
  const out: AlgoLife[] = [];
  for (const { entry, wallMs } of ledger) {
    const id = str(entry.data['clientAlgoId']);
    if (!PROTECTIVE_ID.test(id)) continue;
    if (entry.kind === 'algo.placed') {
      const life: AlgoLife = { clientAlgoId: id, side: str(entry.data['side']), symbol: entry.symbol ?? '', positionSide: str(entry.data['positionSide']) || 'BOTH', quantity: str(entry.data['quantity']), placedMs: wallMs, endMs: null };
      lives.set(id, life);
      out.push(life);
    } else if (ALGO_END.has(entry.kind)) {
      // A refused placement (no algoId: nothing was placed) ends nothing: a second send under the id of a resident
      // order is refused with -4116 while that order stays, and counted as its end it hid a resident stop.
      if (entry.kind === 'algo.rejected' && entry.data['algoId'] === undefined) continue;
      const life = lives.get(id);
      if (life !== undefined && life.endMs === null) life.endMs = wallMs;
    }
  }
  return out;
}

function positionIntervals(ledger: readonly StampedEntry[]): Interval[] {
  const open = new Map<string, { fromMs: number; seq: number; amounts: { atMs: number; amount: string }[] }>();
  const out: Interval[] = [];
  for (const { entry, wallMs } of ledger) {
    if (entry.kind !== 'position' || entry.accountId !== 'demo') continue;
    const key = `${entry.symbol ?? ''}:${str(entry.data['positionSide']) || 'BOTH'}`;
    const amount = str(entry.data['positionAmt']) || '0';
    const cur = open.get(key);
    if (isZero(amount)) {
      if (cur !== undefined) out.push({ key, fromMs: cur.fromMs, toMs: wallMs, seq: cur.seq, amounts: cur.amounts });
      open.delete(key);
    } else if (cur === undefined) open.set(key, { fromMs: wallMs, seq: entry.seq, amounts: [{ atMs: wallMs, amount }] });
    else cur.amounts.push({ atMs: wallMs, amount });
  }
  for (const [key, cur] of open) out.push({ key, fromMs: cur.fromMs, toMs: null, seq: cur.seq, amounts: cur.amounts });
  return out;
}

/** Longest stretch within [from, to) not covered by any of `covers` (half-open spans). */
function longestUncovered(fromMs: number, toMs: number, covers: readonly { from: number; to: number }[]): { gapMs: number; atMs: number } {
  const spans = covers.map((c) => ({ from: Math.max(c.from, fromMs), to: Math.min(c.to, toMs) })).filter((c) => c.to > c.from).sort((a, b) => a.from - b.from);
  let cursor = fromMs;
  let worst = { gapMs: 0, atMs: fromMs };
  for (const s of spans) {
    if (s.from > cursor && s.from - cursor > worst.gapMs) worst = { gapMs: s.from - cursor, atMs: cursor };
    cursor = Math.max(cursor, s.to);
  }
  if (toMs > cursor && toMs - cursor > worst.gapMs) worst = { gapMs: toMs - cursor, atMs: cursor };
  return worst;
}

/** A request fault as the exchange served it (`GET /control/faults` → served, sim/http/faults.ts). */
export interface ServedFault {
  readonly kind: string;
  readonly wallMs: number;
  readonly method: string;
  readonly path: string;
  readonly retryAfterSec: number | null;
}

/** A stretch in which the exchange refused protective orders, or told the client to send none. */
export interface ExchangeHold {
  readonly fromMs: number;
  readonly toMs: number;
  readonly why: string;
}

/** The requests that place a stop or a close: IP weight 0, so only a 429 on them holds protection (rate-limiter.ts). */
const PROTECTIVE_PLACEMENTS = new Set(['POST /fapi/v1/order', 'POST /fapi/v1/algoOrder']);

/**
 * The holds the exchange put on protective orders: a 418 ban stops every request for its Retry-After (§6); a 429
 * answered to an order or algo order itself holds them for its Retry-After. A 429 on a read does not: orders weigh 0
 * on the IP limit and Strike sends stops and closes through such a hold, so a gap during one is Strike's.
 */
export function exchangeHolds(served: readonly ServedFault[]): ExchangeHold[] {
  const holds: ExchangeHold[] = [];
  for (const f of served) {
    const ms = (f.retryAfterSec ?? 0) * 1_000;
    if (ms <= 0) continue;
    if (f.kind === 'ban418') holds.push({ fromMs: f.wallMs, toMs: f.wallMs + ms, why: `418 ban (Retry-After ${f.retryAfterSec} s)` });
    else if (f.kind === 'rate429' && PROTECTIVE_PLACEMENTS.has(`${f.method} ${f.path}`)) holds.push({ fromMs: f.wallMs, toMs: f.wallMs + ms, why: `429 on ${f.method} ${f.path} (Retry-After ${f.retryAfterSec} s)` });
  }
  return holds;
}

/**
 * No position without a resident protective stop for longer than `boundMs`: for every open interval of a position,
 * the longest stretch in which no `sl-` STOP_MARKET of ours for that symbol and position side, on the closing side
 * and covering the position's size, was resident on the exchange. Time inside an exchange hold ({@link
 * exchangeHolds}) is not Strike's to use: a gap is a violation when it exceeds `boundMs` outside holds, i.e. the stop
 * did not follow the fill, or the hold's end, within `boundMs`. Gaps over `boundMs` only because of a hold are counted
 * apart (`overBoundOnlyInHolds`), with the worst raw gap.
 */
export function checkStopGaps(ledger: readonly StampedEntry[], faults: readonly FaultEvent[], endMs: number, boundMs = 1_000, holds: readonly ExchangeHold[] = []): CheckResult {
  const lives = algoLives(ledger).filter((l) => STOP_ID.test(l.clientAlgoId));
  const held = holds.map((h) => ({ from: h.fromMs, to: h.toMs }));
  const violations: string[] = [];
  let worst = { gapMs: 0, where: '' };
  let worstRaw = { gapMs: 0, where: '' };
  let onlyInHolds = 0;
  const gaps: number[] = [];
  /** Violations by the main fault injected just before each gap began ({@link primaryCause}). */
  const causes: Record<string, number> = {};
  const intervals = positionIntervals(ledger);
  for (const iv of intervals) {
    const [symbol, positionSide] = iv.key.split(':');
    const to = iv.toMs ?? endMs;
    // Split the interval where the size changes: a stop counts only while it covers the size at that moment.
    let gap = { gapMs: 0, atMs: iv.fromMs };
    let raw = { gapMs: 0, atMs: iv.fromMs };
    iv.amounts.forEach((a, i) => {
      const segTo = iv.amounts[i + 1]?.atMs ?? to;
      const closingSide = isNegative(a.amount) ? 'BUY' : 'SELL';
      const covers = lives
        .filter((l) => l.symbol === symbol && l.positionSide === positionSide && l.side === closingSide && cmp(l.quantity, abs(a.amount)) >= 0)
        .map((l) => ({ from: l.placedMs, to: l.endMs ?? Number.POSITIVE_INFINITY }));
      const r = longestUncovered(a.atMs, segTo, covers);
      if (r.gapMs > raw.gapMs) raw = r;
      const g = longestUncovered(a.atMs, segTo, [...covers, ...held]);
      if (g.gapMs > gap.gapMs) gap = g;
    });
    gaps.push(gap.gapMs);
    const where = `${iv.key} opened at ledger seq ${iv.seq}`;
    if (gap.gapMs > worst.gapMs) worst = { gapMs: gap.gapMs, where };
    if (raw.gapMs > worstRaw.gapMs) worstRaw = { gapMs: raw.gapMs, where };
    if (raw.gapMs > boundMs && gap.gapMs <= boundMs) onlyInHolds += 1;
    if (gap.gapMs > boundMs) countCause(causes, causesNear(faults, gap.atMs));
    if (gap.gapMs > boundMs) {
      const rawNote = raw.gapMs > gap.gapMs ? ` outside exchange holds (${raw.gapMs} ms in all)` : '';
      violations.push(`${where}: ${gap.gapMs} ms without a resident stop${rawNote} (from +${gap.atMs - iv.fromMs} ms; ${faultsNear(faults, gap.atMs)})`);
    }
  }
  gaps.sort((a, b) => a - b);
  const pct = (p: number): number => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))] ?? 0;
  return {
    name: `no position unprotected > ${boundMs} ms outside exchange holds`,
    checked: intervals.length,
    violations,
    stats: {
      positions: intervals.length,
      worstGapMs: worst.gapMs,
      worstAt: worst.where || '-',
      p50GapMs: pct(0.5),
      p99GapMs: pct(0.99),
      exchangeHolds: holds.length,
      overBoundOnlyInHolds: onlyInHolds,
      worstRawGapMs: worstRaw.gapMs,
      worstRawAt: worstRaw.where || '-',
      ...causes,
    },
  };
}

/**
 * No protective order outlives its position: every stretch in which one of our `sl-`/`tN-` orders was resident
 * while its position was flat must end within `boundMs` (a still-resident order at the end counts to `endMs`).
 */
export function checkOrphans(ledger: readonly StampedEntry[], faults: readonly FaultEvent[], endMs: number, boundMs: number): CheckResult {
  const lives = algoLives(ledger);
  const intervals = positionIntervals(ledger);
  const violations: string[] = [];
  const causes: Record<string, number> = {};
  let worst = { ms: 0, id: '' };
  for (const life of lives) {
    const key = `${life.symbol}:${life.positionSide}`;
    const covers = intervals.filter((iv) => iv.key === key).map((iv) => ({ from: iv.fromMs, to: iv.toMs ?? Number.POSITIVE_INFINITY }));
    const end = life.endMs ?? endMs;
    const g = longestUncovered(life.placedMs, end, covers);
    if (g.gapMs > worst.ms) worst = { ms: g.gapMs, id: life.clientAlgoId };
    if (g.gapMs > boundMs || (life.endMs === null && g.gapMs > 0 && end - g.atMs === g.gapMs)) {
      countCause(causes, causesNear(faults, g.atMs));
      violations.push(`${life.clientAlgoId} resident ${g.gapMs} ms with no position${life.endMs === null ? ' (still open at the end)' : ''} (${faultsNear(faults, g.atMs)})`);
    }
  }
  return { name: `no protective order outlives its position by > ${boundMs} ms`, checked: lives.length, violations, stats: { protectiveOrders: lives.length, worstOrphanMs: worst.ms, worstOrphan: worst.id || '-', ...causes } };
}

/** What `journal.query` (the panel's search) can return at most: the newest entries first (messages.ts). */
export const JOURNAL_QUERY_LIMIT = 5_000;

/**
 * No journal entry lost across worker restarts: every entry seen before a restart is still there at the end,
 * unchanged, and every order the trader was answered about has its `order` (or `error`) entry in the journal (the
 * whole journal as read from IndexedDB: `journal.query` returns at most {@link JOURNAL_QUERY_LIMIT} entries, so a
 * long run's early answers are beyond it). `journal.query` for `queryText` must return exactly the newest matching
 * entries of that journal. Fills of our orders that the journal never recorded are counted (not a loss: the worker
 * was not there to see them).
 */
export function checkJournal(
  snapshots: readonly (readonly ActivityEntry[])[],
  final: readonly ActivityEntry[],
  queried: readonly ActivityEntry[],
  answers: readonly TraderAnswer[],
  ledger: readonly StampedEntry[],
  queryText = 'stk-',
): CheckResult {
  const violations: string[] = [];
  const finalBySeq = new Map(final.map((e) => [e.seq, e]));
  let seen = 0;
  const checkedSeqs = new Set<number>();
  for (const snap of snapshots) {
    for (const e of snap) {
      if (checkedSeqs.has(e.seq)) continue;
      checkedSeqs.add(e.seq);
      seen += 1;
      const now = finalBySeq.get(e.seq);
      if (now === undefined) violations.push(`journal entry ${e.seq} (${e.kind} ${e.text}) vanished after a worker restart`);
      else if (JSON.stringify(now) !== JSON.stringify(e)) violations.push(`journal entry ${e.seq} changed after a worker restart`);
    }
  }
  const journaled = new Map<string, Set<string>>();
  for (const e of final) if (e.clientId !== undefined) journaled.set(e.clientId, (journaled.get(e.clientId) ?? new Set()).add(e.kind));
  const told = answers.filter((a) => a.request !== 'flatten' && a.clientOrderId !== undefined);
  for (const a of told) {
    const kinds = journaled.get(a.clientOrderId ?? '');
    const want = a.outcome === 'ok' ? 'order' : 'error';
    if (kinds?.has(want) !== true) violations.push(`${a.request} answered ${a.outcome} for ${a.clientOrderId ?? ''}, but the journal has no ${want} entry for it`);
  }
  // Entries appended after `final` was read (a late reconcile) may head the query's answer: they are skipped, and
  // the rest must be the newest matching entries of `final`, as many as fit.
  const needle = queryText.toLowerCase();
  const lastSeq = final.reduce((m, e) => Math.max(m, e.seq), 0);
  const newer = queried.filter((e) => e.seq > lastSeq).length;
  const expected = final
    .filter((e) => `${e.kind} ${e.text} ${e.clientId ?? ''}`.toLowerCase().includes(needle))
    .sort((a, b) => b.seq - a.seq)
    .slice(0, JOURNAL_QUERY_LIMIT - newer)
    .map((e) => e.seq);
  const got = queried.filter((e) => e.seq <= lastSeq).map((e) => e.seq);
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    violations.push(`journal.query "${queryText}" returned ${got.length} entries (newest ${got[0] ?? '-'}), not the newest ${expected.length} matching ones of the journal (newest ${expected[0] ?? '-'})`);
  }
  const ourFills = ledger.filter(({ entry }) => entry.kind === 'fill' && /^(stk|cl|sl|t\d)-/.test(str(entry.data['clientOrderId'])));
  const fillIds = new Set(final.filter((e) => e.kind === 'fill' && e.clientId !== undefined).map((e) => e.clientId));
  const missedFills = ourFills.filter(({ entry }) => !fillIds.has(str(entry.data['clientOrderId']))).length;
  return {
    name: 'no journal entry lost across worker restarts',
    checked: seen + told.length,
    violations,
    stats: { entriesAtEnd: final.length, entriesSeenBeforeRestarts: seen, answersChecked: told.length, queried: queried.length, ourFills: ourFills.length, fillsNotJournaled: missedFills },
  };
}
