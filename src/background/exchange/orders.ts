/**
 * Exactly-once order placement and cancellation (the rules live in `core/journal.ts`; this runs them):
 * 1. the journal entry is written (`sent`, with the signed timestamp) before the request leaves;
 * 2. the request goes over the WebSocket API when it is up (fastest path), else REST;
 * 3. an unknown outcome (timeout, dropped connection, 5xx, -1007/-1006) is never retried blindly: the order is
 *    looked up by its client id (GET /fapi/v1/order by origClientOrderId, GET /fapi/v1/algoOrder by clientAlgoId)
 *    or recognised from its ORDER_TRADE_UPDATE / ALGO_UPDATE, adopted if it exists, re-sent only if it provably
 *    does not;
 * 4. -1021 → one clock resync and ONE re-send; 429 → re-send after Retry-After while the intent is fresh.
 * `resumeFromJournal()` runs step 3 for entries a restarted worker finds `sent`/`unknown`/`reconciling`, and for the
 * reserved ids of trader's orders whose entries it does not find (`reserve()`, core/journal.ts `Reservation`).
 */
import {
  createEntry,
  decideAfterFailure,
  decideAfterQuery,
  decideOnResume,
  decideReservation,
  DEFAULT_RECONCILE_POLICY,
  markExchangeStatus,
  markFailed,
  markMaybeSent,
  markQueryFailed,
  markReconciling,
  markSent,
  mayNeedResume,
  prepareRetry,
  reservationFor,
  sentFollowsFrame,
  stateForStatus,
  type Failure,
  type JournalEntry,
  type JournalStore,
  type QueryResult,
  type ReconcilePolicy,
  type Reservation,
} from '../../core/journal.ts';
import { OrderIntentSchema, parseClientOrderId, priorityOf, type Intent } from '../../core/intents.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import { backoffDelay } from './backoff.ts';
import type { ClockKeeper } from './clock.ts';
import type { CallOutcome, SignedInfo } from './http.ts';
import { within, type Logger, type Scheduler } from './ports.ts';
import type { RestApi } from './rest.ts';
import { AlgoCancelSchema, AlgoOrderSchema, OrderSchema, type Order, type UserEvent } from './schemas.ts';
import type { WsApi } from './ws-api.ts';

export interface OrderEngineDeps {
  readonly rest: RestApi;
  /** Null when the WebSocket API is not used (orders then always go over REST). */
  readonly wsApi: WsApi | null;
  readonly journal: JournalStore;
  readonly clock: ClockKeeper;
  now(): number;
  jitter(): number;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly policy?: ReconcilePolicy;
}

/**
 * Called as an order goes through its phases, for the latency breakdown on a high-resolution clock the caller
 * owns: `sent` just before the first attempt's frame is handed to the socket, `answered` when that attempt's
 * answer (or failure) arrives, with the order the exchange answered when it did (what has filled so far).
 */
export interface OrderTrace {
  sent(): void;
  answered(order: Order | null): void;
  /**
   * The order as a lookup found it while the answer was late ({@link SLOW_ANSWER_LOOKS_MS}): what has filled so
   * far, before the answer says it.
   */
  looked?(order: Order): void;
}

/**
 * When an order's answer is this late, the order is looked up by its client id (GET /fapi/v1/order, weight 1, §3),
 * then again after each further delay, until the answer comes: the delays from one look to the next. An answer
 * takes milliseconds; one that does not come is waited for up to the request timeout (5 s) before the order's fate
 * is settled, and meanwhile a filled entry had no stop. A full soak silenced the WebSocket API and the private
 * stream together: three positions opened into that silence went 1.9 s without a stop, until an unrelated re-read.
 * A look only reads; whether to send again is still decided after the answer or its timeout.
 */
export const SLOW_ANSWER_LOOKS_MS: readonly number[] = [400, 800, 1_200];

/**
 * A protective conditional order unanswered this long over the WebSocket API is sent over REST as well. A full soak
 * had stops sent over a WebSocket API connection that had stopped answering without closing: found dead only
 * 0.3-0.8 s later, their positions went 1.0-1.3 s without a stop.
 */
export const HEDGE_AFTER_MS = 250;

/**
 * Before that REST copy, the order is looked up by its client id (weight 1); a lookup slower than this counts as not
 * found, and the copy goes: a stop not placed is worse than one placed twice.
 */
export const HEDGE_LOOKUP_MS = 250;

type Endpoint = { readonly ws: string; readonly method: string; readonly path: string };

/** Where each intent kind goes: WS API method and REST endpoint (§3, §9). */
const ENDPOINTS: Readonly<Record<Intent['kind'], Endpoint>> = {
  order: { ws: 'order.place', method: 'POST', path: '/fapi/v1/order' },
  algo: { ws: 'algoOrder.place', method: 'POST', path: '/fapi/v1/algoOrder' },
  cancel: { ws: 'order.cancel', method: 'DELETE', path: '/fapi/v1/order' },
  'cancel-algo': { ws: 'algoOrder.cancel', method: 'DELETE', path: '/fapi/v1/algoOrder' },
};

/** The status and exchange id in a successful answer, or null when the body is not what the endpoint returns. */
function statusOf(kind: Intent['kind'], body: unknown): { exchangeId: string; status: string } | null {
  switch (kind) {
    case 'order':
    case 'cancel': {
      const o = OrderSchema.safeParse(body);
      return o.success ? { exchangeId: String(o.data.orderId), status: o.data.status } : null;
    }
    case 'algo': {
      const a = AlgoOrderSchema.safeParse(body);
      return a.success ? { exchangeId: String(a.data.algoId), status: a.data.algoStatus } : null;
    }
    case 'cancel-algo': {
      // `{algoId, clientAlgoId, code:"200", msg:"success"}` (§3): success means the algo order is cancelled.
      const c = AlgoCancelSchema.safeParse(body);
      return c.success ? { exchangeId: String(c.data.algoId), status: 'CANCELED' } : null;
    }
  }
}

/** Told of an order a previous worker sent under a reserved id, found on the exchange: its entry, and the order. */
export type FoundOrder = (entry: JournalEntry, order: Order) => void;

/** An event seen on the user stream for one of our client ids. */
interface Seen {
  readonly exchangeId: string;
  readonly status: string;
  readonly eventMs: number;
}

export class OrderEngine {
  readonly #policy: ReconcilePolicy;
  readonly #running = new Map<string, Promise<JournalEntry>>();
  readonly #seen = new Map<string, Seen>();
  /** Client id → intent for running placements (caller-chosen ids cannot be parsed back to their intent). */
  readonly #runningByClientId = new Map<string, string>();
  /** Reservations this worker made: a resume leaves them alone (they are not a previous worker's). */
  readonly #ownReservations = new Set<string>();
  /**
   * Client ids of running protective placements whose cancel has been asked for: they are not sent again (no hedge,
   * no re-send), since a copy arriving after the cancel would rest on its own. A full soak had a restarted worker
   * cancel a stop 85 ms after placing it (its position had closed) over a WebSocket API that had stopped answering,
   * and the stop's REST hedge, sent at 250 ms, placed it a second time.
   */
  readonly #cancelWanted = new Set<string>();
  /** A protective placement's REST hedge in flight, by client id: a cancel of that id waits for it to land first. */
  readonly #hedges = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: OrderEngineDeps) {
    this.#policy = deps.policy ?? DEFAULT_RECONCILE_POLICY;
  }

  /**
   * Places (or cancels) exactly once. The same intent submitted again does not send again: it returns the journal's
   * entry (after finishing its reconciliation if one is due). Resolves with the settled entry: `acked`/`filled`/
   * `canceled`/`final` on success, `rejected` or `unknown` with `error` set otherwise.
   */
  async submit(intent: Intent, trace?: OrderTrace): Promise<JournalEntry> {
    const running = this.#running.get(intent.id);
    if (running !== undefined) return running;
    if (intent.kind === 'cancel-algo') await this.#beforeCancel(intent.clientAlgoId);
    const existing = await this.deps.journal.get(intent.id);
    if (existing !== undefined) {
      return decideOnResume(existing) === 'reconcile' ? this.#track(existing, false) : existing;
    }
    const entry = createEntry(intent, { nowMs: this.deps.now(), recvWindowMs: this.deps.rest.http.recvWindowMs });
    await this.deps.journal.put(entry);
    // From here on the journal has the intent's entry, which is what a resume goes by.
    this.#ownReservations.delete(intent.id);
    return this.#track(entry, false, trace);
  }

  /**
   * A cancel of a protective placement still running: that placement is sent no more, and a REST hedge of it already
   * on its way lands before the cancel leaves, so the cancel finds whichever copy the exchange holds.
   */
  async #beforeCancel(clientAlgoId: string): Promise<void> {
    if (this.#runningByClientId.has(clientAlgoId)) this.#cancelWanted.add(clientAlgoId);
    await this.#hedges.get(clientAlgoId);
  }

  /**
   * Reserves `intentId` for the next order on `symbol` ({@link Reservation}); resolves once the reservation is
   * stored, after which that order's `sent` entry need not be waited for (the store decides, worker-ports.ts).
   */
  reserve(intentId: string, symbol: string): Promise<void> {
    this.#ownReservations.add(intentId);
    return this.deps.journal.reserve(reservationFor(intentId, symbol, this.deps.now()));
  }

  /** Forgets reservations of this worker that no order will use. */
  release(intentIds: readonly string[]): Promise<void> {
    for (const id of intentIds) this.#ownReservations.delete(id);
    return this.deps.journal.release(intentIds);
  }

  /**
   * After a worker restart: reconciles entries that may be on the exchange (never re-sending a placement), abandons
   * placements that never left, and settles the previous worker's reservations that have no entry: `found` hears of
   * each order such a reservation turns out to carry, with the entry recorded for it. Returns the entries it touched,
   * settled.
   */
  async resumeFromJournal(opts: { found?: FoundOrder } = {}): Promise<JournalEntry[]> {
    const [summaries, stored] = await Promise.all([this.deps.journal.summaries(), this.deps.journal.reservations()]);
    const reservations = stored.filter((r) => !this.#ownReservations.has(r.intentId));
    const reserved = new Set(reservations.map((r) => r.intentId));
    // Any order a previous worker signed carries a timestamp no later than this.
    const resumedServerMs = this.deps.clock.serverNow();
    // Only entries whose outcome is not known yet are read in full.
    const work = summaries.filter((s) => mayNeedResume(s.state)).map(async ({ intentId }): Promise<JournalEntry | null> => {
      const entry = await this.deps.journal.get(intentId);
      if (entry === undefined) return null;
      switch (decideOnResume(entry, { reserved: reserved.has(entry.intentId) })) {
        case 'reconcile':
          return this.#running.get(entry.intentId) ?? this.#track(entry, true);
        case 'reconcile-maybe-sent':
          return (
            this.#running.get(entry.intentId) ?? this.#track(await this.#save(markMaybeSent(entry, { nowMs: this.deps.now(), serverNowMs: resumedServerMs })), true)
          );
        case 'abandon':
          return this.#save(
            markFailed(entry, {
              nowMs: this.deps.now(),
              state: 'rejected',
              error: { code: 'INTERNAL', message: 'Not sent: the extension restarted before the order left.' },
            }),
          );
        case 'nothing':
          return null;
      }
    });
    const journaled = new Set(summaries.map((e) => e.intentId));
    const orphans = reservations.filter((r) => !journaled.has(r.intentId)).map((r) => this.#settleReservation(r, resumedServerMs, opts.found));
    // In parallel: each reconciliation may wait out its order's recvWindow.
    const settled = await Promise.all([...work, ...orphans]);
    return settled.filter((e): e is JournalEntry => e !== null);
  }

  /**
   * A previous worker's reservation without a journal entry: its order, if it sent one, lost every entry with the
   * worker. Looked up by client id: found → recorded from the exchange's copy; absent past the recvWindow of the
   * latest timestamp it could carry → never placed, forgotten.
   */
  async #settleReservation(r: Reservation, resumedServerMs: number, found?: FoundOrder): Promise<JournalEntry | null> {
    for (let failures = 0; ; ) {
      const lookup = await this.deps.rest.queryOrder(r.symbol, r.clientOrderId);
      const result: QueryResult = lookup.kind === 'found' ? { kind: 'found', exchangeId: String(lookup.value.orderId), status: lookup.value.status } : lookup;
      const decision = decideReservation(
        result,
        {
          serverNowMs: this.deps.clock.serverNow(),
          resumedServerMs,
          recvWindowMs: this.deps.rest.http.recvWindowMs,
          failures,
          backoffMs: this.#lookupBackoff(failures),
        },
        this.#policy,
      );
      switch (decision.action) {
        case 'adopt': {
          if (lookup.kind !== 'found') throw new Error('a reservation adopted without its order');
          const entry = adoptedEntry(r, lookup.value, { nowMs: this.deps.now(), recvWindowMs: this.deps.rest.http.recvWindowMs, serverNowMs: resumedServerMs });
          if (entry === null) this.deps.logger.warn('an order found by its reserved id is not one Strike places; left to the account re-read', { clientOrderId: r.clientOrderId });
          else await this.#save(entry);
          await this.deps.journal.release([r.intentId]);
          if (entry !== null) found?.(entry, lookup.value);
          return entry;
        }
        case 'release':
          await this.deps.journal.release([r.intentId]);
          return null;
        case 'requery':
          if (result.kind === 'failed' && result.heldUntilMs === undefined) failures += 1;
          await this.#sleep(decision.delayMs);
          continue;
        case 'keep':
          this.deps.logger.warn('a reserved order id could not be looked up; the next worker looks again', { clientOrderId: r.clientOrderId, reason: decision.reason });
          return null;
      }
    }
  }

  /**
   * Feeds ORDER_TRADE_UPDATE / ALGO_UPDATE into the journal: a running reconciliation adopts what it sees, and
   * settled entries follow the order to FILLED / CANCELED.
   */
  async onUserEvent(event: UserEvent): Promise<void> {
    let clientId: string;
    let seen: Seen;
    if (event.e === 'ORDER_TRADE_UPDATE') {
      clientId = event.o.c;
      seen = { exchangeId: String(event.o.i), status: event.o.X, eventMs: event.E };
    } else if (event.e === 'ALGO_UPDATE') {
      clientId = event.o.caid;
      seen = { exchangeId: String(event.o.aid), status: event.o.X, eventMs: event.E };
    } else return;
    const intentId = this.#runningByClientId.get(clientId) ?? parseClientOrderId(clientId)?.intentId;
    if (intentId === undefined) return;
    if (this.#running.has(intentId)) {
      // The run picks it up at its next lookup or when it settles (kept only while a run is active).
      const prev = this.#seen.get(clientId);
      if (prev === undefined || prev.eventMs <= seen.eventMs) this.#seen.set(clientId, seen);
      return;
    }
    const entry = await this.deps.journal.get(intentId);
    if (entry === undefined) return;
    if (entry.clientOrderId !== clientId) {
      this.deps.logger.warn('user stream: event for an earlier attempt of an intent', { clientId, current: entry.clientOrderId });
      return;
    }
    if (entry.intent.kind !== 'order' && entry.intent.kind !== 'algo') return;
    if (entry.state === 'acked' || entry.state === 'unknown' || entry.state === 'sent' || entry.state === 'reconciling') {
      await this.deps.journal.put(markExchangeStatus(entry, { nowMs: this.deps.now(), ...seen }));
    }
  }

  #track(entry: JournalEntry, resumed: boolean, trace?: OrderTrace): Promise<JournalEntry> {
    this.#index(entry);
    const p = this.#run(entry, resumed, trace).finally(() => {
      this.#running.delete(entry.intentId);
      for (const [clientId, intentId] of [...this.#runningByClientId]) {
        if (intentId !== entry.intentId) continue;
        this.#runningByClientId.delete(clientId);
        this.#seen.delete(clientId);
        this.#cancelWanted.delete(clientId);
      }
    });
    this.#running.set(entry.intentId, p);
    return p;
  }

  /** Indexes a placement's client id (a cancel's id is its target's, which belongs to another intent). */
  #index(entry: JournalEntry): void {
    if (entry.intent.kind === 'order' || entry.intent.kind === 'algo') this.#runningByClientId.set(entry.clientOrderId, entry.intentId);
  }

  async #save(entry: JournalEntry): Promise<JournalEntry> {
    await this.deps.journal.put(entry);
    return entry;
  }

  /** The wait before looking an order up again after `failures` failed lookups in a row. */
  #lookupBackoff(failures: number): number {
    return backoffDelay(failures, () => this.deps.jitter(), { baseMs: 200, maxMs: 5_000, jitterRatio: 0.5 });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.deps.scheduler.after(ms, resolve));
  }

  async #run(start: JournalEntry, resumed: boolean, firstTrace?: OrderTrace): Promise<JournalEntry> {
    let entry = start;
    let trace = firstTrace;
    let reconcile = entry.state !== 'pending' || resumed;
    for (;;) {
      if (!reconcile) {
        if (entry.intent.kind === 'algo' && this.#cancelWanted.has(entry.clientOrderId)) {
          return this.#save(markFailed(entry, { nowMs: this.deps.now(), state: 'rejected', error: { code: 'EXCHANGE', message: 'Not placed: its cancel was asked for first.' } }));
        }
        const { outcome, sent } = await this.#send(entry, trace);
        if (trace !== undefined) {
          const answered = outcome.ok && entry.intent.kind === 'order' ? OrderSchema.safeParse(outcome.body) : null;
          trace.answered(answered?.success === true ? answered.data : null);
        }
        trace = undefined;
        entry = sent;
        if (outcome.ok) {
          const st = statusOf(entry.intent.kind, outcome.body);
          if (st !== null) return this.#settle(markExchangeStatus(entry, { nowMs: this.deps.now(), ...st }));
          this.deps.logger.warn('order answer did not parse; reconciling', { clientOrderId: entry.clientOrderId });
          entry = await this.#save(markReconciling(entry, { nowMs: this.deps.now(), error: null }));
          reconcile = true;
          continue;
        }
        const decision = decideAfterFailure(entry, outcome.failure, { nowMs: this.deps.now() }, this.#policy);
        switch (decision.action) {
          case 'query-then-maybe-retry':
            entry = await this.#save(markReconciling(entry, { nowMs: this.deps.now(), error: outcome.error }));
            reconcile = true;
            continue;
          case 'resync-and-retry-once':
            await this.deps.clock.resync();
            entry = await this.#save(prepareRetry(entry, { nowMs: this.deps.now(), resync: true, reason: `clock resync after ${failureText(outcome.failure)}` }));
            continue;
          case 'wait-then-retry':
            await this.#sleep(decision.delayMs);
            entry = await this.#save(prepareRetry(entry, { nowMs: this.deps.now(), resync: false, reason: `not executed: ${failureText(outcome.failure)}` }));
            continue;
          case 'give-up':
            return this.#save(markFailed(entry, { nowMs: this.deps.now(), state: decision.state, error: outcome.error }));
        }
      }
      const result = await this.#lookup(entry);
      // A lookup the rate limiter held back never left: it waits for the hold, it does not count as a failure.
      if (result.kind === 'failed' && result.heldUntilMs === undefined) entry = await this.#save(markQueryFailed(entry, { nowMs: this.deps.now(), error: result.error }));
      const decision = decideAfterQuery(
        entry,
        result,
        {
          nowMs: this.deps.now(),
          serverNowMs: this.deps.clock.serverNow(),
          resumed,
          backoffMs: this.#lookupBackoff(entry.queryFailures),
        },
        this.#policy,
      );
      switch (decision.action) {
        case 'adopt':
          return this.#settle(markExchangeStatus(entry, { nowMs: this.deps.now(), exchangeId: decision.exchangeId, status: decision.status }));
        case 'retry':
          entry = await this.#save(prepareRetry(entry, { nowMs: this.deps.now(), resync: false, reason: `looked up: ${result.kind}, signed at ${entry.signedTimestampMs ?? 'unknown'}, server now ${this.deps.clock.serverNow()}` }));
          reconcile = false;
          continue;
        case 'requery':
          await this.#sleep(decision.delayMs);
          continue;
        case 'give-up':
          return this.#save(
            markFailed(entry, {
              nowMs: this.deps.now(),
              state: decision.state,
              error: { code: decision.state === 'unknown' ? 'UNKNOWN_STATUS' : 'EXCHANGE', message: decision.reason },
            }),
          );
      }
    }
  }

  /** Saves a settled entry, first applying a later user-stream status seen while the run was busy. */
  async #settle(entry: JournalEntry): Promise<JournalEntry> {
    const seen = this.#seen.get(entry.clientOrderId);
    this.#seen.delete(entry.clientOrderId);
    const placement = entry.intent.kind === 'order' || entry.intent.kind === 'algo';
    if (placement && seen !== undefined && entry.state === 'acked' && stateForStatus(seen.status) !== 'acked') {
      return this.#save(markExchangeStatus(entry, { nowMs: this.deps.now(), ...seen }));
    }
    return this.#save(entry);
  }

  /**
   * One physical send of the current attempt. The `sent` entry is put before the bytes leave (the store decides
   * whether that waits for storage: worker-ports.ts), except a protective order's, which is put right after its
   * frame, in the same task (see {@link #putAfterSend}).
   */
  async #send(entry: JournalEntry, trace: OrderTrace | undefined): Promise<{ outcome: CallOutcome; sent: JournalEntry }> {
    let sent = entry;
    this.#index(entry);
    const ep = ENDPOINTS[entry.intent.kind];
    const afterSend = sentFollowsFrame(entry.intent);
    const record =
      (via: 'rest' | 'ws-api') =>
      async (info: SignedInfo): Promise<void> => {
        sent = markSent(entry, { nowMs: this.deps.now(), signedAtMs: info.signedAtMs, timestampMs: info.timestampMs, via });
        if (!afterSend) await this.deps.journal.put(sent);
        if (trace?.looked !== undefined && entry.intent.kind === 'order') stopLooking = this.#lookWhileUnanswered(entry.intent.symbol, entry.clientOrderId, trace.looked);
      };
    const onSent = (): void => {
      trace?.sent();
      if (afterSend) this.#putAfterSend(sent);
    };
    let stopLooking = (): void => undefined;
    const priority = priorityOf(entry.intent);
    const ws = this.deps.wsApi;
    const overRest = (): Promise<CallOutcome> =>
      this.deps.rest.http.send(ep.method, ep.path, entry.request, { security: 'SIGNED', priority, beforeSend: record('rest'), sent: onSent, symbol: entry.intent.symbol });
    try {
      if (ws !== null && ws.isUp) {
        const overWs = ws.request(ep.ws, entry.request, { signed: true, priority, beforeSend: record('ws-api'), sent: onSent, symbol: entry.intent.symbol });
        const hedgeId = entry.intent.kind === 'algo' ? entry.intent.clientId : undefined;
        const outcome = hedgeId !== undefined ? await this.#hedged(hedgeId, overWs, overRest) : await overWs;
        // `refused` = the frame never left (socket closed in between): REST is the fallback path.
        if (outcome.ok || outcome.failure.kind !== 'refused') return { outcome, sent };
      }
      return { outcome: await overRest(), sent };
    } finally {
      stopLooking();
    }
  }

  /**
   * A protective order's, a cancel's or the protector's close's `sent` entry (sentFollowsFrame), issued right after
   * its frame or request was handed over, in the same task. Before the frame it cost the stop a
   * `chrome.storage.session.set` call (0.1-0.5 ms of the worker's thread, carrying the task's batched writes) and
   * bought no guarantee: the write is not confirmed either way, and Chrome drops the storage calls of a worker it is
   * stopping while that worker's sockets still send for ~50 ms, so a stop's frame can leave without its entry in both
   * orders. What covers a lost entry is the restarted worker, which looks a placement its journal shows unsent up by
   * `clientAlgoId` before sending it again (session.ts, `#resendUnsent`), and the exchange, which refuses a second
   * open order under the same id (-4116); a pending cancel or protector's close is looked up too (decideOnResume).
   * A trader's order keeps its write before the frame: its record must exist before a position can open, and is the
   * trader's history of a close.
   */
  #putAfterSend(sent: JournalEntry): void {
    this.deps.journal.put(sent).catch((e: unknown) => this.deps.logger.warn('journal: a protective order\'s sent entry was not written', { clientId: sent.clientOrderId, error: String(e) }));
  }

  /**
   * A protective order's WebSocket API send, with the same request also sent over REST if no answer came within
   * {@link HEDGE_AFTER_MS} and a lookup by its client id does not find it (a copy it finds settles the placement,
   * whatever its status). Then the first answer that settles it wins (an acceptance or the exchange's refusal; a
   * transport failure waits for the other path). Safe only for conditional orders under a fixed client id: the
   * exchange refuses a second one under an open one's id (-4116, §4.7), which the journal then adopts. Only under an
   * open one's: a copy that already triggered or ended does not stop a second from resting, hence the lookup. A full
   * soak (seed 4) had a stop land over a WebSocket API whose answers came late, trigger and close its position 121 ms
   * later, and its REST copy placed again at 273 ms.
   */
  async #hedged(clientId: string, overWs: Promise<CallOutcome>, overRest: () => Promise<CallOutcome>): Promise<CallOutcome> {
    const early = await within(this.deps.scheduler, HEDGE_AFTER_MS, overWs, null);
    if (early !== null) return early;
    if (this.#cancelWanted.has(clientId)) return overWs;
    const lookup = this.deps.rest.queryAlgoOrder(clientId).then((r) => ({ found: r.kind === 'found' ? r.value : null }));
    // A lookup that fails or is late counts as not found.
    const looked = await Promise.race([overWs.then((answer) => ({ answer })), within(this.deps.scheduler, HEDGE_LOOKUP_MS, lookup, { found: null })]);
    if ('answer' in looked) return looked.answer;
    // On the exchange already, whatever became of it since: its copy settles the placement (the late answer would say
    // no more), rather than leaving it unsettled until the WebSocket request times out.
    if (looked.found !== null) return { ok: true, status: 200, body: looked.found };
    if (this.#cancelWanted.has(clientId)) return overWs;
    // An answer, or the exchange's refusal; a 5xx or a transport failure leaves the outcome open.
    const settles = (o: CallOutcome): boolean => o.ok || (o.failure.kind === 'http' && o.failure.status < 500);
    const rest = overRest();
    const landed = rest.then(
      () => this.#hedges.delete(clientId),
      () => this.#hedges.delete(clientId),
    );
    this.#hedges.set(clientId, landed);
    const first = await Promise.race([overWs, rest]);
    if (settles(first)) return first;
    const [a, b] = await Promise.all([overWs, rest]);
    return settles(a) ? a : b;
  }

  /** Looks a sent order up on the {@link SLOW_ANSWER_LOOKS_MS} schedule until the returned stop is called. */
  #lookWhileUnanswered(symbol: string, clientOrderId: string, looked: (order: Order) => void): () => void {
    let stopped = false;
    let cancelTimer = (): void => undefined;
    const next = (i: number): void => {
      const delayMs = SLOW_ANSWER_LOOKS_MS[i];
      if (delayMs === undefined) return;
      cancelTimer = this.deps.scheduler.after(delayMs, () => {
        void this.deps.rest.queryOrder(symbol, clientOrderId).then((r) => {
          if (stopped) return;
          if (r.kind === 'found') looked(r.value);
          if (r.kind !== 'found' || stateForStatus(r.value.status) === 'acked') next(i + 1);
        });
      });
    };
    next(0);
    return () => {
      stopped = true;
      cancelTimer();
    };
  }

  /** Looks the affected order up: user-stream evidence first (free), then REST by client id. */
  async #lookup(entry: JournalEntry): Promise<QueryResult> {
    const seen = this.#seen.get(entry.clientOrderId);
    const placement = entry.intent.kind === 'order' || entry.intent.kind === 'algo';
    if (placement && seen !== undefined) return { kind: 'found', exchangeId: seen.exchangeId, status: seen.status };
    const kind = entry.intent.kind;
    if (kind === 'order' || kind === 'cancel') {
      const r = await this.deps.rest.queryOrder(entry.intent.symbol, entry.clientOrderId);
      return r.kind === 'found' ? { kind: 'found', exchangeId: String(r.value.orderId), status: r.value.status } : r;
    }
    const r = await this.deps.rest.queryAlgoOrder(entry.clientOrderId);
    return r.kind === 'found' ? { kind: 'found', exchangeId: String(r.value.algoId), status: r.value.algoStatus } : r;
  }
}

/**
 * The journal entry for an order found under a reserved id whose entries were lost, rebuilt from the exchange's copy
 * of it; null when the copy is not an order Strike places (a type other than MARKET or LIMIT).
 */
function adoptedEntry(r: Reservation, order: Order, ctx: { nowMs: number; recvWindowMs: number; serverNowMs: number }): JournalEntry | null {
  const type = order.origType ?? order.type;
  const intent = OrderIntentSchema.safeParse({
    kind: 'order',
    id: r.intentId,
    symbol: order.symbol,
    side: order.side,
    type,
    quantity: order.origQty,
    ...(type === 'LIMIT' ? { price: order.price, timeInForce: order.timeInForce } : {}),
    ...(order.reduceOnly ? { reduceOnly: true } : {}),
    ...(order.positionSide === 'BOTH' ? {} : { positionSide: order.positionSide }),
  });
  if (!intent.success) return null;
  const entry = markMaybeSent(createEntry(intent.data, ctx), ctx);
  return markExchangeStatus(entry, { nowMs: ctx.nowMs, exchangeId: String(order.orderId), status: order.status });
}

/** A settled entry as a Result for the UI: ok when the exchange holds or executed the order (or the cancel). */
export function entryResult(entry: JournalEntry): Result<JournalEntry> {
  const isCancel = entry.intent.kind === 'cancel' || entry.intent.kind === 'cancel-algo';
  if (isCancel && entry.state !== 'canceled' && entry.state !== 'rejected' && entry.state !== 'unknown') {
    // The cancel lost the race: the order filled or expired first.
    return err('EXCHANGE', `The order could not be cancelled: it is ${entry.exchangeStatus ?? entry.state}.`);
  }
  switch (entry.state) {
    case 'acked':
    case 'filled':
    case 'canceled':
    case 'final':
      return ok(entry);
    case 'rejected':
    case 'unknown':
    case 'pending':
    case 'sent':
    case 'reconciling':
      return err(entry.error?.code ?? (entry.state === 'rejected' ? 'EXCHANGE' : 'UNKNOWN_STATUS'), entry.error?.message ?? `Order ${entry.state}.`, {
        ...(entry.error?.exchangeCode === undefined ? {} : { exchangeCode: entry.error.exchangeCode }),
      });
  }
}

/** A failure in a few words, for the journal's retry reason. */
function failureText(f: Failure): string {
  switch (f.kind) {
    case 'http':
      return `HTTP ${f.status}${f.code === undefined ? '' : ` ${f.code}`}${f.msg === undefined ? '' : ` ${f.msg}`}`;
    case 'refused':
      return `refused locally (${f.reason})`;
    case 'network':
      return `network (${f.message})`;
    case 'timeout':
      return 'timeout';
  }
}
