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

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

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

/**
 * Exactly-once: at most one `order.placed` per trader intent across its attempts (`stk-<intent>[-<attempt>]`), and
 * at most one placement per protector id (`sl-`, `tN-`, `cl-` ids are reused across attempts of one order).
 */
export function checkExactlyOnce(ledger: readonly StampedEntry[]): CheckResult {
  const perIntent = new Map<string, string[]>();
  const perProtectiveId = new Map<string, number>();
  for (const { entry } of ledger) {
    if (entry.kind === 'order.placed') {
      const cid = str(entry.data['clientOrderId']);
      const parsed = parseClientOrderId(cid);
      if (parsed !== null) perIntent.set(parsed.intentId, [...(perIntent.get(parsed.intentId) ?? []), cid]);
      else if (cid.startsWith('cl-')) perProtectiveId.set(cid, (perProtectiveId.get(cid) ?? 0) + 1);
    } else if (entry.kind === 'algo.placed') {
      const cid = str(entry.data['clientAlgoId']);
      perProtectiveId.set(cid, (perProtectiveId.get(cid) ?? 0) + 1);
    }
  }
  const violations: string[] = [];
  for (const [intent, ids] of perIntent) if (ids.length > 1) violations.push(`intent ${intent} produced ${ids.length} orders: ${ids.join(', ')}`);
  for (const [id, n] of perProtectiveId) if (n > 1) violations.push(`protective id ${id} was placed ${n} times`);
  const retried = [...perIntent.values()].filter((ids) => ids.some((id) => parseClientOrderId(id)?.attempt !== 0)).length;
  return {
    name: 'one order per intent',
    checked: perIntent.size + perProtectiveId.size,
    violations,
    stats: { traderIntentsPlaced: perIntent.size, placedUnderALaterAttempt: retried, protectiveIds: perProtectiveId.size },
  };
}

/**
 * Every intent has a final outcome: each order-journal entry ended in a terminal state (not pending, sent,
 * reconciling or unknown), every trader order the exchange placed is in the journal, and every order the trader
 * was told about is in the journal.
 */
export function checkOutcomes(ledger: readonly StampedEntry[], orderJournal: readonly OrderJournalEntry[], answers: readonly TraderAnswer[]): CheckResult {
  const violations: string[] = [];
  const byClientId = new Map<string, OrderJournalEntry>();
  const intents = new Set<string>();
  for (const e of orderJournal) {
    byClientId.set(e.clientOrderId, e);
    intents.add(e.intentId);
    if (!FINAL_STATES.has(e.state)) violations.push(`${e.intent.kind} ${e.clientOrderId} (intent ${e.intentId}) ended ${e.state}${e.error === null ? '' : `: ${e.error.message}`}`);
  }
  let traderPlaced = 0;
  for (const { entry } of ledger) {
    if (entry.kind !== 'order.placed') continue;
    const parsed = parseClientOrderId(str(entry.data['clientOrderId']));
    if (parsed === null) continue;
    traderPlaced += 1;
    if (!intents.has(parsed.intentId)) violations.push(`order ${str(entry.data['clientOrderId'])} is on the exchange but not in Strike's order journal`);
  }
  const told = answers.filter((a) => a.outcome === 'ok' && a.clientOrderId !== undefined);
  for (const a of told) {
    const cid = a.clientOrderId ?? '';
    const parsed = parseClientOrderId(cid);
    if (parsed === null || !intents.has(parsed.intentId)) violations.push(`${a.request} answered ${cid}, which the order journal does not hold`);
  }
  const states: Record<string, number> = {};
  for (const e of orderJournal) states[`${e.intent.kind}:${e.state}`] = (states[`${e.intent.kind}:${e.state}`] ?? 0) + 1;
  return { name: 'every intent has a final outcome', checked: orderJournal.length + traderPlaced + told.length, violations, stats: states };
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

/**
 * No position without a resident protective stop for longer than `boundMs`: for every open interval of a position,
 * the longest stretch in which no `sl-` STOP_MARKET of ours for that symbol and position side, on the closing side
 * and covering the position's size, was resident on the exchange.
 */
export function checkStopGaps(ledger: readonly StampedEntry[], faults: readonly FaultEvent[], endMs: number, boundMs = 1_000): CheckResult {
  const lives = algoLives(ledger).filter((l) => STOP_ID.test(l.clientAlgoId));
  const violations: string[] = [];
  let worst = { gapMs: 0, where: '' };
  const gaps: number[] = [];
  const intervals = positionIntervals(ledger);
  for (const iv of intervals) {
    const [symbol, positionSide] = iv.key.split(':');
    const to = iv.toMs ?? endMs;
    // Split the interval where the size changes: a stop counts only while it covers the size at that moment.
    let gap = { gapMs: 0, atMs: iv.fromMs };
    iv.amounts.forEach((a, i) => {
      const segTo = iv.amounts[i + 1]?.atMs ?? to;
      const closingSide = isNegative(a.amount) ? 'BUY' : 'SELL';
      const covers = lives
        .filter((l) => l.symbol === symbol && l.positionSide === positionSide && l.side === closingSide && cmp(l.quantity, abs(a.amount)) >= 0)
        .map((l) => ({ from: l.placedMs, to: l.endMs ?? Number.POSITIVE_INFINITY }));
      const g = longestUncovered(a.atMs, segTo, covers);
      if (g.gapMs > gap.gapMs) gap = g;
    });
    gaps.push(gap.gapMs);
    const where = `${iv.key} opened at ledger seq ${iv.seq}`;
    if (gap.gapMs > worst.gapMs) worst = { gapMs: gap.gapMs, where };
    if (gap.gapMs > boundMs) violations.push(`${where}: ${gap.gapMs} ms without a resident stop (from +${gap.atMs - iv.fromMs} ms; ${faultsNear(faults, gap.atMs)})`);
  }
  gaps.sort((a, b) => a - b);
  const pct = (p: number): number => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))] ?? 0;
  return {
    name: `no position unprotected > ${boundMs} ms`,
    checked: intervals.length,
    violations,
    stats: { positions: intervals.length, worstGapMs: worst.gapMs, worstAt: worst.where || '-', p50GapMs: pct(0.5), p99GapMs: pct(0.99) },
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
  let worst = { ms: 0, id: '' };
  for (const life of lives) {
    const key = `${life.symbol}:${life.positionSide}`;
    const covers = intervals.filter((iv) => iv.key === key).map((iv) => ({ from: iv.fromMs, to: iv.toMs ?? Number.POSITIVE_INFINITY }));
    const end = life.endMs ?? endMs;
    const g = longestUncovered(life.placedMs, end, covers);
    if (g.gapMs > worst.ms) worst = { ms: g.gapMs, id: life.clientAlgoId };
    if (g.gapMs > boundMs || (life.endMs === null && g.gapMs > 0 && end - g.atMs === g.gapMs)) {
      violations.push(`${life.clientAlgoId} resident ${g.gapMs} ms with no position${life.endMs === null ? ' (still open at the end)' : ''} (${faultsNear(faults, g.atMs)})`);
    }
  }
  return { name: `no protective order outlives its position by > ${boundMs} ms`, checked: lives.length, violations, stats: { protectiveOrders: lives.length, worstOrphanMs: worst.ms, worstOrphan: worst.id || '-' } };
}

/**
 * No journal entry lost across worker restarts: every entry seen before a restart is still there at the end,
 * unchanged, and every order the trader was answered about has its `order` entry in the journal (`journal.query`).
 * Fills of our orders that the journal never recorded are counted (not a loss: the worker was not there to see them).
 */
export function checkJournal(
  snapshots: readonly (readonly ActivityEntry[])[],
  final: readonly ActivityEntry[],
  queried: readonly ActivityEntry[],
  answers: readonly TraderAnswer[],
  ledger: readonly StampedEntry[],
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
  for (const e of queried) if (e.clientId !== undefined) journaled.set(e.clientId, (journaled.get(e.clientId) ?? new Set()).add(e.kind));
  const told = answers.filter((a) => a.request !== 'flatten' && a.clientOrderId !== undefined);
  for (const a of told) {
    const kinds = journaled.get(a.clientOrderId ?? '');
    const want = a.outcome === 'ok' ? 'order' : 'error';
    if (kinds?.has(want) !== true) violations.push(`${a.request} answered ${a.outcome} for ${a.clientOrderId ?? ''}, but the journal has no ${want} entry for it`);
  }
  const ourFills = ledger.filter(({ entry }) => entry.kind === 'fill' && /^(stk|cl|sl|t\d)-/.test(str(entry.data['clientOrderId'])));
  const fillIds = new Set(final.filter((e) => e.kind === 'fill' && e.clientId !== undefined).map((e) => e.clientId));
  const missedFills = ourFills.filter(({ entry }) => !fillIds.has(str(entry.data['clientOrderId']))).length;
  return {
    name: 'no journal entry lost across worker restarts',
    checked: seen + told.length,
    violations,
    stats: { entriesAtEnd: final.length, entriesSeenBeforeRestarts: seen, answersChecked: told.length, ourFills: ourFills.length, fillsNotJournaled: missedFills },
  };
}
