/**
 * The order journal: a pure model of every order Strike sends, and the decisions that make placement exactly-once.
 *
 * Rule: an entry is written (state `sent`, with the signed `timestamp`) BEFORE the request leaves, so after a timeout,
 * a dropped connection or a worker restart there is always a record of what may be on the exchange. That record is
 * the entry itself, or, for a trader's order, its id reserved ahead of time ({@link Reservation}), which takes the
 * stored write off the order's path. An outcome that
 * is unknown (timeout, dropped connection, HTTP 503 "Unknown error", -1007, -1006; fact sheet §5) is never retried
 * blindly: the order is first looked up by its client id, adopted if it exists, and re-sent (with the next attempt's
 * id) only when it provably does not — that is, once its `timestamp + recvWindow` has passed on the server clock,
 * after which the matching engine rejects the old request (-5028 ME_RECVWINDOW_REJECT, fact sheet §2).
 *
 * Functions here take time as an argument and return new entries; the store port persists them.
 */
import { AppErrorSchema, type AppError } from '../shared/result.ts';
import { z } from '../shared/zod.ts';
import { clientOrderIdFor, IntentSchema, requestParamsFor, targetClientIdFor, type Intent } from './intents.ts';

export const JournalStateSchema = z.enum([
  'pending',
  'sent',
  'acked',
  'rejected',
  'unknown',
  'reconciling',
  'filled',
  'canceled',
  'final',
]);
/**
 * - `pending`: written, not yet sent (after a restart: certainly never left).
 * - `sent`: handed to the network; outcome not yet known.
 * - `acked`: the exchange holds the order (open); for a cancel: never (cancels go straight to `canceled`).
 * - `rejected`: certainly not executed (exchange refusal, or proven absent after its recvWindow).
 * - `unknown`: the outcome could not be established; the trader must be told.
 * - `reconciling`: a lookup by client id is under way.
 * - `filled` / `canceled`: the order reached that status (for a cancel intent: the target did).
 * - `final`: another terminal status (EXPIRED, EXPIRED_IN_MATCH, algo TRIGGERED/FINISHED, ...).
 */
export type JournalState = z.infer<typeof JournalStateSchema>;

const NullableMs = z.nullable(z.int());

/** A journal entry. Parsed with this schema whenever read back from storage (a trust boundary). */
export const JournalEntrySchema = z.strictObject({
  intentId: z.string(),
  intent: IntentSchema,
  /** The client id the exchange knows the affected order by (the new order's, or the cancel's target). */
  clientOrderId: z.string(),
  attempt: z.int().check(z.nonnegative()),
  /** Exchange params of the current attempt, without timestamp/recvWindow/signature. */
  request: z.record(z.string(), z.string()),
  state: JournalStateSchema,
  via: z.nullable(z.enum(['rest', 'ws-api'])),
  /** Server-clock `timestamp` the current attempt was signed with; with `recvWindowMs` bounds when it can execute. */
  signedTimestampMs: NullableMs,
  recvWindowMs: z.int().check(z.positive()),
  exchangeId: z.nullable(z.string()),
  exchangeStatus: z.nullable(z.string()),
  error: z.nullable(AppErrorSchema),
  /** A -1021 resync-and-retry was already spent (only one is ever made). */
  resynced: z.boolean(),
  /** Sends after the first (all causes). */
  retries: z.int().check(z.nonnegative()),
  /** Why the latest retry was sent: an audit of a second order for one intent starts here. */
  retryReason: z.optional(z.string()),
  /** Consecutive failed lookups in the current reconciliation. */
  queryFailures: z.int().check(z.nonnegative()),
  times: z.strictObject({
    inputMs: z.int(),
    signedMs: NullableMs,
    sentMs: NullableMs,
    ackMs: NullableMs,
    filledMs: NullableMs,
    updatedMs: z.int(),
  }),
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

/**
 * A trader's order id stored before the trader asks for the order (a write-ahead reservation): the intent id of the
 * next order on `symbol`, and the client id its first attempt carries. Stored with a confirmed write ahead of time,
 * it lets that order's own `sent` entry go unconfirmed: whatever becomes of that entry, a restarted worker knows the
 * id may be on the exchange and where to look it up (GET /fapi/v1/order needs the symbol, fact sheet §4.11).
 */
export const ReservationSchema = z.strictObject({
  intentId: z.string(),
  symbol: z.string(),
  clientOrderId: z.string(),
  reservedMs: z.int(),
});
export type Reservation = z.infer<typeof ReservationSchema>;

/** The reservation of `intentId` for the next order on `symbol`. */
export function reservationFor(intentId: string, symbol: string, nowMs: number): Reservation {
  return { intentId, symbol, clientOrderId: clientOrderIdFor(intentId, 0), reservedMs: nowMs };
}

/**
 * What a restarted worker needs of every entry to choose the few it reads in full: a busy ten minutes leaves 2,000
 * entries (1.5 MB), and parsing every one of them with {@link JournalEntrySchema} in a worker just started took
 * 60-100 ms of its thread, in the middle of the order that had woken it (bench: a cold hotkey 180 → 323 ms).
 */
export interface JournalSummary {
  readonly intentId: string;
  readonly state: JournalState;
  readonly kind: Intent['kind'];
  /** The caller-chosen client id of a protective algo order (`intent.clientId`), when it has one. */
  readonly clientId: string | undefined;
  readonly updatedMs: number;
}

/** The fields of a stored entry a {@link JournalSummary} is made of; the rest is parsed only when the entry is read. */
const JournalSummarySchema = z.object({
  intentId: z.string(),
  state: JournalStateSchema,
  intent: z.object({ kind: z.enum(['order', 'algo', 'cancel', 'cancel-algo']), clientId: z.optional(z.string()) }),
  times: z.object({ updatedMs: z.int() }),
});

type SummarySource = Pick<JournalEntry, 'intentId' | 'state'> & { intent: { kind: Intent['kind']; clientId?: string | undefined }; times: { updatedMs: number } };

export function summaryOf(entry: SummarySource): JournalSummary {
  const clientId = entry.intent.kind === 'algo' ? entry.intent.clientId : undefined;
  return { intentId: entry.intentId, state: entry.state, kind: entry.intent.kind, clientId, updatedMs: entry.times.updatedMs };
}

/** A stored entry's summary (a trust boundary: only the summary's fields are checked), or undefined. */
export function parseSummary(value: unknown): JournalSummary | undefined {
  const parsed = JournalSummarySchema.safeParse(value);
  return parsed.success ? summaryOf(parsed.data) : undefined;
}

/** Persistence port: the worker backs it with chrome.storage.session; tests use `MemoryJournalStore`. */
export interface JournalStore {
  put(entry: JournalEntry): Promise<void>;
  get(intentId: string): Promise<JournalEntry | undefined>;
  /** A summary of every entry; {@link get} reads one in full. */
  summaries(): Promise<JournalSummary[]>;
  /** Stores a reservation; resolves once it is stored (an order may then rely on it). */
  reserve(reservation: Reservation): Promise<void>;
  /** The reservations stored, used or not. */
  reservations(): Promise<Reservation[]>;
  /** Forgets reservations: unused ones, or ones a restarted worker has settled. */
  release(intentIds: readonly string[]): Promise<void>;
}

/** In-memory store (tests, and a worker without persistence). Entries are copied in and out like a real store. */
export class MemoryJournalStore implements JournalStore {
  readonly #entries = new Map<string, JournalEntry>();
  readonly #reservations = new Map<string, Reservation>();
  put(entry: JournalEntry): Promise<void> {
    this.#entries.set(entry.intentId, structuredClone(entry));
    return Promise.resolve();
  }
  get(intentId: string): Promise<JournalEntry | undefined> {
    const e = this.#entries.get(intentId);
    return Promise.resolve(e === undefined ? undefined : structuredClone(e));
  }
  summaries(): Promise<JournalSummary[]> {
    return Promise.resolve([...this.#entries.values()].map(summaryOf));
  }
  reserve(reservation: Reservation): Promise<void> {
    this.#reservations.set(reservation.intentId, { ...reservation });
    return Promise.resolve();
  }
  reservations(): Promise<Reservation[]> {
    return Promise.resolve([...this.#reservations.values()].map((r) => ({ ...r })));
  }
  release(intentIds: readonly string[]): Promise<void> {
    for (const id of intentIds) this.#reservations.delete(id);
    return Promise.resolve();
  }
}

/** A new entry for an intent, state `pending`. */
export function createEntry(intent: Intent, opts: { nowMs: number; recvWindowMs: number }): JournalEntry {
  return {
    intentId: intent.id,
    intent,
    clientOrderId: targetClientIdFor(intent, 0),
    attempt: 0,
    request: requestParamsFor(intent, 0),
    state: 'pending',
    via: null,
    signedTimestampMs: null,
    recvWindowMs: opts.recvWindowMs,
    exchangeId: null,
    exchangeStatus: null,
    error: null,
    resynced: false,
    retries: 0,
    queryFailures: 0,
    times: { inputMs: opts.nowMs, signedMs: null, sentMs: null, ackMs: null, filledMs: null, updatedMs: opts.nowMs },
  };
}

/** The entry as it must be persisted just before the request leaves (signed at `timestampMs` server time). */
export function markSent(
  entry: JournalEntry,
  opts: { nowMs: number; signedAtMs: number; timestampMs: number; via: 'rest' | 'ws-api' },
): JournalEntry {
  return {
    ...entry,
    state: 'sent',
    via: opts.via,
    signedTimestampMs: opts.timestampMs,
    times: { ...entry.times, signedMs: opts.signedAtMs, sentMs: opts.nowMs, updatedMs: opts.nowMs },
  };
}

/** Statuses of plain orders and algo orders (fact sheet §4.11, §3.3) mapped to journal states. */
export function stateForStatus(status: string): JournalState {
  switch (status) {
    case 'NEW':
    case 'PARTIALLY_FILLED':
    case 'TRIGGERING':
      return 'acked';
    case 'FILLED':
      return 'filled';
    case 'CANCELED':
      return 'canceled';
    case 'REJECTED':
      return 'rejected';
    case 'TRIGGERED':
    case 'FINISHED':
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      return 'final';
    default:
      // An unrecognised status is not guessed at (fail closed): the order exists, so it is treated as open.
      return 'acked';
  }
}

/**
 * Records what the exchange says about the order: a placement's answer, a lookup's result, or a user-stream event.
 * For a cancel intent, the target's status decides: CANCELED/EXPIRED mean the cancel is done.
 */
export function markExchangeStatus(
  entry: JournalEntry,
  opts: { nowMs: number; exchangeId: string; status: string },
): JournalEntry {
  let state = stateForStatus(opts.status);
  if ((entry.intent.kind === 'cancel' || entry.intent.kind === 'cancel-algo') && state === 'final') state = 'canceled';
  const reached = state !== 'pending' && state !== 'sent';
  return {
    ...entry,
    state,
    exchangeId: opts.exchangeId,
    exchangeStatus: opts.status,
    error: null,
    queryFailures: 0,
    times: {
      ...entry.times,
      ackMs: entry.times.ackMs ?? (reached ? opts.nowMs : null),
      filledMs: entry.times.filledMs ?? (state === 'filled' ? opts.nowMs : null),
      updatedMs: opts.nowMs,
    },
  };
}

/** Certainly not executed (or, with `state: 'unknown'`, not establishable): a terminal outcome with its reason. */
export function markFailed(
  entry: JournalEntry,
  opts: { nowMs: number; error: AppError; state: 'rejected' | 'unknown' },
): JournalEntry {
  return { ...entry, state: opts.state, error: opts.error, times: { ...entry.times, updatedMs: opts.nowMs } };
}

/** The outcome of the last send is unknown; a lookup follows. */
export function markReconciling(entry: JournalEntry, opts: { nowMs: number; error: AppError | null }): JournalEntry {
  return { ...entry, state: 'reconciling', error: opts.error, times: { ...entry.times, updatedMs: opts.nowMs } };
}

/** A lookup failed (network, 5xx); counts toward giving up on reconciliation. */
export function markQueryFailed(entry: JournalEntry, opts: { nowMs: number; error: AppError }): JournalEntry {
  return {
    ...entry,
    queryFailures: entry.queryFailures + 1,
    error: opts.error,
    times: { ...entry.times, updatedMs: opts.nowMs },
  };
}

/**
 * The next attempt, back to `pending`. A placement gets the next attempt's client id, so a late-arriving earlier
 * attempt would be recognisable; a cancel keeps its target.
 */
export function prepareRetry(entry: JournalEntry, opts: { nowMs: number; resync: boolean; reason: string }): JournalEntry {
  const attempt = entry.attempt + 1;
  return {
    ...entry,
    attempt,
    clientOrderId: targetClientIdFor(entry.intent, attempt),
    request: requestParamsFor(entry.intent, attempt),
    state: 'pending',
    signedTimestampMs: null,
    resynced: entry.resynced || opts.resync,
    retries: entry.retries + 1,
    retryReason: opts.reason,
    queryFailures: 0,
    times: { ...entry.times, signedMs: null, sentMs: null, updatedMs: opts.nowMs },
  };
}

/** How a request failed. `refused` means it never left (local rate limiter or an active ban). */
export type Failure =
  | { readonly kind: 'timeout' }
  | { readonly kind: 'network'; readonly message: string }
  | { readonly kind: 'refused'; readonly reason: string; readonly untilMs: number }
  | {
      readonly kind: 'http';
      readonly status: number;
      readonly code?: number | undefined;
      readonly msg?: string | undefined;
      readonly retryAfterSec?: number | null | undefined;
    };

/** Knobs for the decisions; defaults in `DEFAULT_RECONCILE_POLICY`. */
export interface ReconcilePolicy {
  /** No automatic re-send once the intent is older than this: a late order at another price is worse than a clear failure. */
  readonly maxRetryAgeMs: number;
  /** Sends after the first, all causes together. */
  readonly maxRetries: number;
  /** Lookups that may fail in a row before the outcome is declared unknown. */
  readonly maxQueryFailures: number;
  /** Margin on top of `timestamp + recvWindow` for the server-clock estimate's error. */
  readonly clockMarginMs: number;
  /** Delay before re-trying a certainly-failed send when the server gave no Retry-After. */
  readonly retryDelayMs: number;
  /**
   * Longest a lookup waits out a rate-limit hold (429 Retry-After, 418 ban) before the outcome is declared unknown.
   * A held lookup never left, so it is not a failed one: it must not use up {@link maxQueryFailures}.
   */
  readonly maxHoldWaitMs: number;
}

export const DEFAULT_RECONCILE_POLICY: ReconcilePolicy = {
  maxRetryAgeMs: 10_000,
  maxRetries: 2,
  maxQueryFailures: 5,
  clockMarginMs: 1_000,
  retryDelayMs: 500,
  // The request-weight window is one minute (fact sheet §6): a hold on it ends within this; a 418 ban may not.
  maxHoldWaitMs: 65_000,
};

/** What to do after a send failed. */
export type FailureDecision =
  | { readonly action: 'query-then-maybe-retry' }
  | { readonly action: 'resync-and-retry-once' }
  | { readonly action: 'wait-then-retry'; readonly delayMs: number }
  | { readonly action: 'give-up'; readonly state: 'rejected' };

/** Failure codes whose execution status is unknown (fact sheet §5: -1007 TIMEOUT, -1006 UNEXPECTED_RESP, -1000/-1001). */
const UNKNOWN_OUTCOME_CODES = new Set([-1000, -1001, -1006, -1007]);

/** Codes for a request that was refused before reaching the matching engine because of its timestamp (§2). */
const TIMESTAMP_CODES = new Set([-1021, -5028]);

/** Whether an HTTP failure left the outcome unknown (it may have executed). */
export function isUnknownOutcome(f: Failure): boolean {
  if (f.kind === 'timeout' || f.kind === 'network') return true;
  if (f.kind !== 'http') return false;
  // The documented certain-failure texts win over the code they travel with (503 bodies carry -1000/-1001).
  if (isCertainServerFailure(f)) return false;
  if (f.code !== undefined && UNKNOWN_OUTCOME_CODES.has(f.code)) return true;
  // 408: timeout waiting for the backend (§5). 5xx: Binance-side; only two 503 texts are documented as certain failures.
  if (f.status === 408) return true;
  return f.status >= 500;
}

/** 503 "Service Unavailable." and "Internal error; unable to process your request" are certain failures; so is -1008 (§5). */
function isCertainServerFailure(f: Extract<Failure, { kind: 'http' }>): boolean {
  if (f.code === -1008) return true;
  const msg = f.msg ?? '';
  return f.status === 503 && (/^Service Unavailable/i.test(msg) || /^Internal error; unable to process/i.test(msg));
}

/**
 * The rule table for a failed send (fact sheet §5 HTTP semantics, §2 timing, §6 limits):
 * unknown outcome → look the order up first; -1021/-5028 → one clock resync and ONE re-send, never a loop;
 * 429 / throttled / certain 503 → re-send after the wait if the intent is still fresh and retries remain;
 * a 418 ban, a local refusal and every other exchange refusal → give up (nothing was executed).
 * A cancel refused with -2011 (unknown order) is looked up too: the target may have filled or already be cancelled.
 */
export function decideAfterFailure(
  entry: JournalEntry,
  failure: Failure,
  ctx: { nowMs: number },
  policy: ReconcilePolicy = DEFAULT_RECONCILE_POLICY,
): FailureDecision {
  if (isUnknownOutcome(failure)) return { action: 'query-then-maybe-retry' };
  if (failure.kind !== 'http') return { action: 'give-up', state: 'rejected' };
  const isCancel = entry.intent.kind === 'cancel' || entry.intent.kind === 'cancel-algo';
  // -4116: an open order already carries this id, so a send of ours arrived earlier: adopt it (§4.7).
  if (failure.code === -4116) return { action: 'query-then-maybe-retry' };
  if (isCancel && (failure.code === -2011 || failure.code === -2013)) return { action: 'query-then-maybe-retry' };
  if (failure.code !== undefined && TIMESTAMP_CODES.has(failure.code)) {
    return entry.resynced ? { action: 'give-up', state: 'rejected' } : { action: 'resync-and-retry-once' };
  }
  const retryable = failure.status === 429 || isCertainServerFailure(failure);
  if (!retryable) return { action: 'give-up', state: 'rejected' };
  const delayMs =
    failure.retryAfterSec !== undefined && failure.retryAfterSec !== null
      ? failure.retryAfterSec * 1000
      : policy.retryDelayMs;
  const fresh = ctx.nowMs + delayMs - entry.times.inputMs <= policy.maxRetryAgeMs;
  if (!fresh || entry.retries >= policy.maxRetries) return { action: 'give-up', state: 'rejected' };
  return { action: 'wait-then-retry', delayMs };
}

/** Result of looking an order up by client id. */
export type QueryResult =
  | { readonly kind: 'found'; readonly exchangeId: string; readonly status: string }
  | { readonly kind: 'not-found' }
  /** `heldUntilMs` (server clock): the request never left, the rate limiter holds requests until then. */
  | { readonly kind: 'failed'; readonly error: AppError; readonly heldUntilMs?: number };

/** What to do after a lookup. */
export type QueryDecision =
  | { readonly action: 'adopt'; readonly exchangeId: string; readonly status: string }
  | { readonly action: 'retry' }
  | { readonly action: 'requery'; readonly delayMs: number }
  | { readonly action: 'give-up'; readonly state: 'rejected' | 'unknown'; readonly reason: string };

/**
 * Decides after a lookup by client id. `serverNowMs` is the exchange clock estimate; `resumed` is true when
 * reconciling after a worker restart, where a placement is never re-sent (the trader's moment has passed).
 *
 * Placement: found → adopt. Not found → if the attempt's `timestamp + recvWindow (+ margin)` has not passed on the
 * server clock the request may still be in flight, so look again then; after it, the matching engine would reject the
 * old request (-5028), so the absence is final and a fresh intent is re-sent with the next attempt's id.
 * Cancel: the target's status decides (open → cancel again; CANCELED/FILLED/... → adopt); absent → rejected.
 */
export function decideAfterQuery(
  entry: JournalEntry,
  result: QueryResult,
  ctx: { nowMs: number; serverNowMs: number; resumed: boolean; backoffMs: number },
  policy: ReconcilePolicy = DEFAULT_RECONCILE_POLICY,
): QueryDecision {
  const isCancel = entry.intent.kind === 'cancel' || entry.intent.kind === 'cancel-algo';
  const canRetry =
    entry.retries < policy.maxRetries && (isCancel || (!ctx.resumed && ctx.nowMs - entry.times.inputMs <= policy.maxRetryAgeMs));
  switch (result.kind) {
    case 'failed':
      if (result.heldUntilMs !== undefined) {
        const waitMs = Math.max(0, result.heldUntilMs - ctx.serverNowMs);
        if (waitMs <= policy.maxHoldWaitMs) return { action: 'requery', delayMs: waitMs + 1 };
        return { action: 'give-up', state: 'unknown', reason: `order status could not be established: ${result.error.message}` };
      }
      if (entry.queryFailures + 1 >= policy.maxQueryFailures) {
        return { action: 'give-up', state: 'unknown', reason: `order status could not be established: ${result.error.message}` };
      }
      return { action: 'requery', delayMs: ctx.backoffMs };
    case 'found': {
      if (isCancel && stateForStatus(result.status) === 'acked') {
        return canRetry
          ? { action: 'retry' }
          : { action: 'give-up', state: 'rejected', reason: 'the order is still open; cancel it again' };
      }
      return { action: 'adopt', exchangeId: result.exchangeId, status: result.status };
    }
    case 'not-found': {
      if (isCancel) return { action: 'give-up', state: 'rejected', reason: 'the order to cancel does not exist' };
      // A conditional order sent again under the same client id cannot exist twice: it stays open until it triggers,
      // and the exchange refuses a second order under an open one's id (-4116, §4.7), whichever copy arrives second.
      // So a protective stop is re-sent at once rather than after its recvWindow, which would leave the position
      // without a stop for ~6 s after a dropped connection.
      if (canRetry && entry.intent.kind === 'algo' && entry.intent.clientId !== undefined) return { action: 'retry' };
      if (entry.signedTimestampMs !== null) {
        const deadline = entry.signedTimestampMs + entry.recvWindowMs + policy.clockMarginMs;
        if (ctx.serverNowMs < deadline) return { action: 'requery', delayMs: deadline - ctx.serverNowMs };
      }
      return canRetry
        ? { action: 'retry' }
        : { action: 'give-up', state: 'rejected', reason: 'the order was not placed' };
    }
  }
}

/** What a restarted worker does with an entry it finds (fact: memory and in-flight promises are lost on restart). */
export type ResumeDecision = 'reconcile' | 'reconcile-maybe-sent' | 'abandon' | 'nothing';

/**
 * `sent` / `unknown` / `reconciling` → reconcile (look up, adopt, never re-send a placement); `pending` placements
 * never left and are abandoned (a stale order must not go out by itself), unless their first attempt's id was
 * reserved: such an order's `sent` entry is not waited for, so it may have left with that entry lost, and is looked
 * up like a sent one ({@link markMaybeSent}); a pending cancel is reconciled, since cancelling stays wanted;
 * everything else is settled.
 */
export function decideOnResume(entry: JournalEntry, opts: { reserved: boolean } = { reserved: false }): ResumeDecision {
  switch (entry.state) {
    case 'sent':
    case 'unknown':
    case 'reconciling':
      return 'reconcile';
    case 'pending':
      if (entry.intent.kind === 'cancel' || entry.intent.kind === 'cancel-algo') return 'reconcile';
      // The protector's close: its `sent` entry follows the frame (sentFollowsFrame), so pending may mean it left.
      if (entry.intent.kind === 'order' && sentFollowsFrame(entry.intent)) return 'reconcile-maybe-sent';
      return opts.reserved && entry.attempt === 0 ? 'reconcile-maybe-sent' : 'abandon';
    case 'acked':
    case 'rejected':
    case 'filled':
    case 'canceled':
    case 'final':
      return 'nothing';
  }
}

/**
 * Whether an intent's `sent` entry is written right after its frame leaves, unconfirmed, rather than stored before
 * it: the protector's own placements (a caller-chosen client id: stops, trailing members, and its market close after
 * -2021) and any cancel. None of them can open or add exposure, and the protector's reconcile against the exchange,
 * not the journal, is what answers for its orders: a restarted worker looks a pending one up by its client id
 * (decideOnResume), and the reconcile adopts or cancels what the exchange holds. Waiting for storage held them
 * behind every write queued before it: in a full soak (seed 4 at 8e9bb1e), right after a worker restart, the close
 * of a position already past its stop (-2021) reached the exchange 550 ms after it was decided and cancels 600-670 ms
 * after, while the stops decided in between, which did not wait for storage, arrived within 50 ms (the worker logs
 * no storage times: the wait is inferred from that pattern).
 *
 * A trader's order keeps its confirmed record, closes included: it is the trader's history, and a full soak (seed 2)
 * had a trader's reduce-only close sent 39 ms before Chrome stopped the worker, its entries lost with it, and the
 * order on the exchange that no journal knew of.
 */
export function sentFollowsFrame(intent: Intent): boolean {
  return intent.kind === 'cancel' || intent.kind === 'cancel-algo' || intent.clientId !== undefined;
}

/**
 * Whether a restarted worker may have to act on an entry in `state`, i.e. read it in full and ask
 * {@link decideOnResume}, which answers 'nothing' for every other state.
 */
export function mayNeedResume(state: JournalState): boolean {
  return state === 'pending' || state === 'sent' || state === 'unknown' || state === 'reconciling';
}

/**
 * A `pending` entry whose order may have left though no `sent` entry says so (its id was reserved): treated as sent
 * with the latest timestamp it could carry, the restarted worker's server time, so that a lookup finding nothing
 * is final only once that timestamp's recvWindow has passed.
 */
export function markMaybeSent(entry: JournalEntry, opts: { nowMs: number; serverNowMs: number }): JournalEntry {
  return { ...entry, state: 'sent', signedTimestampMs: opts.serverNowMs, times: { ...entry.times, updatedMs: opts.nowMs } };
}

/** What a restarted worker does with a reservation the journal has no entry for, after a lookup of its client id. */
export type ReservationDecision =
  /** The previous worker's order: it is recorded from what the exchange holds. */
  | { readonly action: 'adopt' }
  /** Provably never placed: forgotten. */
  | { readonly action: 'release' }
  | { readonly action: 'requery'; readonly delayMs: number }
  /** Not establishable now: kept, so the next worker looks again. */
  | { readonly action: 'keep'; readonly reason: string };

/**
 * Decides after looking up a reservation that has no journal entry: the previous worker may have used it for an
 * order whose entries were all lost, or never used it. Any order it carries was signed before this worker resumed,
 * so at most at `resumedServerMs`: once that `timestamp + recvWindow (+ margin)` has passed on the server clock, the
 * exchange would refuse such a request (-5028, fact sheet §2) and "not found" is final.
 */
export function decideReservation(
  result: QueryResult,
  ctx: { serverNowMs: number; resumedServerMs: number; recvWindowMs: number; failures: number; backoffMs: number },
  policy: ReconcilePolicy = DEFAULT_RECONCILE_POLICY,
): ReservationDecision {
  switch (result.kind) {
    case 'found':
      return { action: 'adopt' };
    case 'not-found': {
      const deadline = ctx.resumedServerMs + ctx.recvWindowMs + policy.clockMarginMs;
      return ctx.serverNowMs < deadline ? { action: 'requery', delayMs: deadline - ctx.serverNowMs } : { action: 'release' };
    }
    case 'failed':
      if (result.heldUntilMs !== undefined) {
        const waitMs = Math.max(0, result.heldUntilMs - ctx.serverNowMs);
        return waitMs <= policy.maxHoldWaitMs ? { action: 'requery', delayMs: waitMs + 1 } : { action: 'keep', reason: result.error.message };
      }
      return ctx.failures + 1 >= policy.maxQueryFailures ? { action: 'keep', reason: result.error.message } : { action: 'requery', delayMs: ctx.backoffMs };
  }
}

/** Whether the entry's outcome is settled (nothing left to reconcile). */
export function isSettled(state: JournalState): boolean {
  return state === 'acked' || state === 'rejected' || state === 'filled' || state === 'canceled' || state === 'final';
}
