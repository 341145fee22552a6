/**
 * A trading session: one unlocked profile connected to its exchange. Owns the exchange client, the symbol rules,
 * the account book and the protector, and turns the panel's and hotkeys' requests into exactly-once orders.
 */
import { parseClientId, posKey } from '../../core/asl.ts';
import { ExchangeInfoSchema, rulesFromExchangeInfo, type SymbolRules } from '../../core/exchange-info.ts';
import { makeIntentId, priorityOf, type OrderIntent } from '../../core/intents.ts';
import { weightOf } from '../../core/rate-limiter.ts';
import type { JournalEntry, JournalSummary } from '../../core/journal.ts';
import { sizeTicket, type Sized } from '../../core/sizing.ts';
import { validateOrder, type ValidOrder } from '../../core/validator.ts';
import { abs, gt, isNegative } from '../../shared/decimal.ts';
import type { OrderAck, Preview, Side, Ticket, TradingSnapshot } from '../../shared/messages.ts';
import { parseJson } from '../../shared/json.ts';
import { err, ok, type AppError, type Result } from '../../shared/result.ts';
import { z } from '../../shared/zod.ts';
import { ExchangeClient, type Environment } from '../exchange/client.ts';
import { within } from '../exchange/ports.ts';
import type { CallOutcome } from '../exchange/http.ts';
import { parseOutcome, type Answer } from '../exchange/rest.ts';
import { Backoff } from '../exchange/backoff.ts';
import type { OrderTrace } from '../exchange/orders.ts';
import { PositionSchema, type Order } from '../exchange/schemas.ts';
import type { SigningMaterial } from '../vault.ts';
import { AccountBook } from './book.ts';
import { FillFeed, protectionEventsFrom } from './protection-events.ts';
import { Protector } from './protector.ts';
import { ReplayGuard, type ReplayAction } from './replay-guard.ts';
import { sessionWrites, workerFetch, workerLogger, workerScheduler, workerSockets, sessionJournal } from './worker-ports.ts';

/** A mark older than this is stale: no order is sized on it (fail closed, design rule 6). */
const STALE_MARK_MS = 10_000;
/**
 * How long a filled entry may wait for its fill on the user stream before positions are re-read over REST. In the
 * full soak the stream's fill came within 31 ms of the order's answer (p99 20 ms, 765 entries) whenever it came at
 * all. At 500 ms, five positions opened while the stream was silent went 1.6 s without stops: the re-read left at
 * 500 ms and met a 1 s 429 pause that an earlier read would have missed.
 */
const UNPROTECTED_CHECK_MS = 200;
/**
 * Open orders are read for every symbol at a new session's first re-read (not a restarted worker's) and then at
 * most this often; in between, only for the symbols that matter (positions, protected or not, orders known, symbols
 * in view): 2 weight a symbol instead of 80 (§6), the difference between re-reads fitting the minute's budget and
 * holding every other request.
 */
const FULL_READ_EVERY_MS = 60_000;
/** Cadence of the safety-net reconcile while a position or an order exists. */
const RECONCILE_EVERY_MS = 20_000;
/** Request weight of each protective effect (§3): a hold on weighted requests only does not stop stops and closes. */
const PROTECTIVE_WEIGHTS = {
  placeAlgo: weightOf('POST', '/fapi/v1/algoOrder').weight,
  cancelAlgo: weightOf('DELETE', '/fapi/v1/algoOrder').weight,
  closeMarket: weightOf('POST', '/fapi/v1/order').weight,
} as const;
/** Symbols with a reserved order id at once (the ticket's, and those traded by hotkey on other tabs), oldest dropped. */
const MAX_RESERVED_SYMBOLS = 8;
/** An unanswered entry older than this in the journal was looked after by a worker since (its look-ups, the reads). */
const UNANSWERED_PROTECT_MS = 30_000;
/**
 * How long a restarted worker waits for the lookup of a stop its predecessor may have sent before placing it: a
 * lookup held by a timeout fault or a slow exchange must not leave the position without a stop for seconds
 * (the soak's bound is 1 s from the fill).
 */
const RESEND_LOOKUP_BUDGET_MS = 250;
/** A re-read refused by a ban or a 429 hold goes this long after the hold ends: past its last millisecond. */
const HOLD_END_MARGIN_MS = 20;
/** Fills within this window share one available-balance read. */
const BALANCE_COALESCE_MS = 1_000;
const EXCHANGE_INFO_TTL_MS = 60 * 60_000;

export interface SessionHooks {
  /** The UI snapshot changed (throttled by the caller). */
  changed(): void;
  mark(symbol: string, price: string, atMs: number): void;
  notify(level: 'info' | 'warn' | 'error', text: string): void;
  /** Appends to the journal; resolves once the entry is stored. */
  log(kind: 'intent' | 'order' | 'fill' | 'stop' | 'error' | 'connection', text: string, extra?: { clientId?: string; latency?: Record<string, number> }): Promise<void>;
}

function environmentOf(material: SigningMaterial): Environment {
  if (material.environment !== 'local') return { kind: material.environment };
  const rest = material.baseUrls?.rest;
  const port = rest === undefined ? 8765 : Number(new URL(rest).port || 80);
  return { kind: 'local', port };
}

const PremiumSchema = z.object({ markPrice: z.string() });
const BookSchema = z.object({ bidPrice: z.string(), askPrice: z.string() });
const CachedInfoSchema = z.strictObject({ fetchedAtMs: z.number(), info: z.unknown() });
const StoredAccountSchema = z.strictObject({ hedge: z.boolean() });
const DualSchema = z.object({ dualSidePosition: z.boolean() });
const ClockSamplesSchema = z.array(z.strictObject({ sentMs: z.number(), receivedMs: z.number(), serverTimeMs: z.number() }));
/** Clock samples a restarted worker may reuse: the offset drifts by milliseconds an hour (see ClockKeeper.restore). */
const CLOCK_SAMPLE_MAX_AGE_MS = 10 * 60_000;

export class TradingSession {
  readonly book = new AccountBook();
  readonly client: ExchangeClient;
  readonly protector: Protector;
  rules = new Map<string, SymbolRules>();
  #seq = 0;
  #hedge = false;
  #symbolsInView = new Set<string>();
  /**
   * Per symbol, the id reserved for the trader's next order on it, `ready` once stored (core/journal.ts,
   * `Reservation`): that order leaves without waiting for its journal entry to be stored.
   */
  readonly #reservedIds = new Map<string, { intentId: string; ready: boolean }>();
  readonly #replays = new ReplayGuard((clientOrderId) => clientOrderId.startsWith('stk-'));
  /** Each order's fills, counted once from its answer or the stream, whichever comes first (protection-events.ts). */
  readonly #fills = new FillFeed();

  constructor(
    readonly material: SigningMaterial,
    private readonly hooks: SessionHooks,
  ) {
    this.client = new ExchangeClient(
      {
        fetch: workerFetch,
        socketFactory: workerSockets,
        now: () => Date.now(),
        jitter: () => Math.random(),
        scheduler: workerScheduler,
        logger: workerLogger,
        journal: sessionJournal,
        apiKey: material.apiKey,
        signer: material.signer,
        clockSampled: (samples) => sessionWrites.write({ [this.#clockKey]: samples }),
      },
      { environment: environmentOf(material) },
    );
    this.protector = new Protector({
      now: () => Date.now(),
      load: async () => parseJson((await sessionWrites.read(this.#protectionKey))[this.#protectionKey]),
      // Issued, not awaited; what must not be lost with it, the id counter, is reserved apart (protector.ts). Stored
      // as one JSON string: Chrome converts a stored object property by property on the worker's thread, twice (the
      // write, and the onChanged event every write sends back); a 4 KB state measured half the time as a string.
      save: (state) => sessionWrites.writeComputed(this.#protectionKey, () => JSON.stringify(state)),
      loadIdFloor: async () => (await sessionWrites.read(this.#idFloorKey))[this.#idFloorKey],
      reserveIds: (floor) => sessionWrites.writeConfirmed({ [this.#idFloorKey]: floor }),
      trace: (text) => workerLogger.info(`protection: ${text}`),
      placeAlgo: async (params) => {
        const { algoType: _algoType, clientAlgoId, ...rest } = params;
        const timing = rest.type === 'STOP_MARKET' ? this.#stopTiming(posKey(rest.symbol, rest.positionSide)) : null;
        const entry = await this.client.placeAlgoOrder({
          kind: 'algo',
          id: this.#nextIntentId(),
          clientId: clientAlgoId,
          symbol: rest.symbol,
          side: rest.side,
          type: rest.type,
          quantity: rest.quantity,
          workingType: rest.workingType,
          positionSide: rest.positionSide,
          ...(rest.reduceOnly === undefined ? {} : { reduceOnly: true }),
          ...(rest.triggerPrice === undefined ? {} : { triggerPrice: rest.triggerPrice }),
          ...(rest.activatePrice === undefined ? {} : { activatePrice: rest.activatePrice }),
          ...(rest.callbackRate === undefined ? {} : { callbackRate: rest.callbackRate }),
        }, timing?.trace);
        const atMs = Date.now();
        if (isAccepted(entry)) {
          const latency = timing?.latency();
          this.hooks.log('stop', `${rest.type} ${rest.side} ${rest.quantity} ${rest.symbol} ${rest.triggerPrice ?? `trail ${rest.callbackRate}% from ${rest.activatePrice ?? 'now'}`} accepted`, { clientId: clientAlgoId, ...(latency === undefined ? {} : { latency }) });
          return { type: 'algoAccepted', clientAlgoId, algoId: entry.exchangeId ?? '', symbol: rest.symbol, atMs };
        }
        return { type: 'algoRejected', clientAlgoId, code: entry.error?.exchangeCode ?? 0, msg: entry.error?.message ?? 'unknown outcome', atMs };
      },
      cancelAlgo: async (order) => {
        const entry = await this.client.cancelAlgoOrder({ kind: 'cancel-algo', id: this.#nextIntentId(), symbol: order.symbol, clientAlgoId: order.clientAlgoId });
        const atMs = Date.now();
        if (entry.state === 'canceled') return { type: 'algoCanceled', clientAlgoId: order.clientAlgoId, atMs };
        return { type: 'cancelFailed', clientAlgoId: order.clientAlgoId, code: entry.error?.exchangeCode ?? 0, msg: entry.error?.message ?? 'unknown outcome', atMs };
      },
      closeMarket: async (params) => {
        const entry = await this.client.placeOrder(
          {
            kind: 'order',
            id: this.#nextIntentId(),
            clientId: params.newClientOrderId,
            symbol: params.symbol,
            side: params.side,
            type: 'MARKET',
            quantity: params.quantity,
            positionSide: params.positionSide,
            ...(params.reduceOnly === undefined ? {} : { reduceOnly: true }),
          },
          this.#fillsFromAnswer(),
        );
        const okd = isAccepted(entry);
        // -2022: nothing to reduce, so the position the protector is closing is already gone (a stop or another
        // close got there first, and its report is late). Read the account now: until it lands, the protector
        // re-protects the position it believes in, and its closes are refused in a loop that uses up the orders
        // limit (a full soak: 7 orders every 40 ms, then every stop waited for the next 10 s window).
        if (!okd && entry.error?.exchangeCode === -2022) void this.refresh();
        return { type: 'closeResult', clientOrderId: params.newClientOrderId, ok: okd, code: okd ? null : (entry.error?.exchangeCode ?? 0), msg: entry.error?.message ?? '', atMs: Date.now() };
      },
      notify: (level, text) => this.hooks.notify(level, text),
      changed: () => this.hooks.changed(),
      holdMs: (effect) => this.client.holdRemainingMs(PROTECTIVE_WEIGHTS[effect], 'protective'),
    });
  }

  get #protectionKey(): string {
    return `protection.v1:${this.material.profileId}`;
  }

  get #idFloorKey(): string {
    return `protection.ids.v1:${this.material.profileId}`;
  }

  #nextIntentId(): string {
    this.#seq = (this.#seq + 1) % 36 ** 8;
    return makeIntentId(Date.now(), this.#seq);
  }

  /**
   * Reserves the id of the trader's next order on `symbol`, unless one is: a confirmed storage write (about 1 ms, a
   * round trip through the browser's UI thread) made before the click instead of on its path. A failed reservation
   * costs only that: the order then waits for its own entry.
   */
  #reserveFor(symbol: string): void {
    if (this.#stopped || this.#reservedIds.has(symbol)) return;
    const slot = { intentId: this.#nextIntentId(), ready: false };
    this.#reservedIds.set(symbol, slot);
    const unused = [...this.#reservedIds].slice(0, Math.max(0, this.#reservedIds.size - MAX_RESERVED_SYMBOLS));
    for (const [s] of unused) this.#reservedIds.delete(s);
    if (unused.length > 0) void this.client.releaseOrderIds(unused.map(([, r]) => r.intentId)).catch((e: unknown) => workerLogger.warn('releasing reserved order ids failed', { error: String(e) }));
    this.client.reserveOrderId(slot.intentId, symbol).then(
      () => (slot.ready = true),
      (e: unknown) => {
        if (this.#reservedIds.get(symbol) === slot) this.#reservedIds.delete(symbol);
        workerLogger.warn('reserving an order id failed; the next order waits for its journal entry', { symbol, error: String(e) });
      },
    );
  }

  /** The reserved id for an order on `symbol`, taken, or a new id when none is stored yet. */
  #intentIdFor(symbol: string): string {
    const slot = this.#reservedIds.get(symbol);
    if (slot === undefined || !slot.ready) return this.#nextIntentId();
    this.#reservedIds.delete(symbol);
    return slot.intentId;
  }

  /**
   * What an order needs, and nothing more: the symbol rules, the clock, the position mode and the protector's
   * state. After a worker restart all of it comes from storage (the clock's samples and the position mode as the
   * previous worker left them), so the next hotkey signs without waiting for a round trip; {@link connect} then
   * checks every one of them against the exchange. The first session of a browser session reads the clock and the
   * position mode from the exchange first.
   */
  async prepare(): Promise<Result<void>> {
    const [info, , modeKnown] = await Promise.all([this.#loadRules(), this.protector.init(), this.#restoreAccount()]);
    if (!info.ok) return info;
    await this.protector.feed({
      type: 'symbolRules',
      rules: [...this.rules.values()].map((r) => ({ symbol: r.symbol, tickSize: r.tickSize, minPrice: r.minPrice })),
      atMs: Date.now(),
    });
    if (!this.client.clock.synced) await this.client.clock.sync();
    // It signs protective orders: after the clock (restored from the previous worker, or read just now). Not waited
    // for: the next hotkey's order does not need it.
    void this.#resumeProtection().catch((e: unknown) => this.hooks.log('error', `Resuming protection from the order journal failed: ${e instanceof Error ? e.message : String(e)}`));
    // No previous worker in this browser session: the position mode decides how an order is written (§4.3).
    if (!modeKnown) this.#modeRead = await this.#readPositionMode();
    // A restarted worker has the previous one's protector state, so its symbols are in every re-read's scope: its
    // first read need not be the full one (90 weight instead of ~15), which a worker restarted under a tight minute
    // budget could not fit: in the soak, a closed position's stops stayed resident for 20 s after such a restart.
    // The full read follows on its usual cadence.
    if (modeKnown) this.#lastFullReadMs = Date.now();
    return ok(undefined);
  }

  /** What the previous worker left in the order journal that protection acts on before the first read. */
  async #resumeProtection(): Promise<void> {
    const summaries = await sessionJournal.summaries();
    await Promise.all([this.#resendUnsent(summaries), this.#protectUnanswered(summaries)]);
  }

  /**
   * The previous worker's protective placements that never left: decided (saved as placing) but with no journal
   * entry, or one still `pending`. Anything the journal shows sent is the resumed reconciliation's to settle.
   *
   * The journal can be wrong in one direction: Chrome drops the storage calls of a worker it has begun to stop
   * while the worker still sends on its sockets, so a stop's `sent` entry, issued with its frame, can be lost though
   * the stop left. So each is looked up by its client id first (one weight-1 read each, in parallel), and
   * one the exchange has is adopted, not placed again: a full soak had a restarted worker place 12 protective ids a
   * second time. A lookup that fails, or has not answered within RESEND_LOOKUP_BUDGET_MS, re-sends, as before: a
   * stop not placed is worse than a duplicate one, which Binance refuses while the first rests (-4116) and the
   * reconcile cancels otherwise.
   */
  async #resendUnsent(summaries: readonly JournalSummary[]): Promise<void> {
    const journaled = new Map<string, JournalSummary['state']>();
    for (const e of summaries) if (e.kind === 'algo' && e.clientId !== undefined) journaled.set(e.clientId, e.state);
    const unsent = (id: string): boolean => {
      const state = journaled.get(id);
      return state === undefined || state === 'pending';
    };
    // Taken before the lookups: placements this worker decides while they run are its own, already on their way.
    const toSend = new Set(this.protector.placing().filter(unsent));
    if (toSend.size === 0) return;
    const looked = await Promise.all([...toSend].map(async (id) => ({ id, lookup: await within(workerScheduler, RESEND_LOOKUP_BUDGET_MS, this.client.rest.queryAlgoOrder(id), { kind: 'late' as const }) })));
    for (const { id, lookup } of looked) {
      if (lookup.kind !== 'found') continue;
      toSend.delete(id);
      this.hooks.log('stop', `${lookup.value.orderType} ${lookup.value.side} ${lookup.value.symbol}: sent by the previous worker, found on the exchange and kept`, { clientId: id });
      void this.protector.feed({ type: 'algoAccepted', clientAlgoId: id, algoId: String(lookup.value.algoId), symbol: lookup.value.symbol, atMs: Date.now() });
    }
    this.protector.resendPlacing((id) => toSend.has(id));
  }

  /**
   * Entries a previous worker sent and never saw answered: it may have been stopped between the fill and its answer,
   * and this worker learns of the position only from a read, which a 429 on reads held for 2 s in a full soak while
   * stops still went through. Each gets a provisional stop at the price it was sized at (src/core/asl/provisional.ts),
   * which the first read settles: harmless if the order never filled, since the stop is reduce-only.
   */
  async #protectUnanswered(summaries: readonly JournalSummary[]): Promise<void> {
    const now = Date.now();
    for (const s of summaries) {
      // Only these are read in full; the entry itself is checked again below, as it stands now.
      if (s.kind !== 'order' || (s.state !== 'sent' && s.state !== 'reconciling')) continue;
      const e = await sessionJournal.get(s.intentId);
      if (e === undefined) continue;
      const i = e.intent;
      // An order that reduces (reduce-only, or SELL+LONG / BUY+SHORT in hedge mode, §4.3) has nothing to protect.
      if (i.kind !== 'order' || priorityOf(i) !== 'routine' || i.expectedPrice === undefined) continue;
      if (e.state !== 'sent' && e.state !== 'reconciling') continue;
      if (e.times.sentMs === null || now - e.times.sentMs > UNANSWERED_PROTECT_MS) continue;
      await this.protector.feed({ type: 'unconfirmedEntry', symbol: i.symbol, positionSide: i.positionSide ?? 'BOTH', side: i.side, qty: i.quantity, price: i.expectedPrice, atMs: now });
    }
  }

  /** Settles when {@link connect} has read the account and reconciled protection once. */
  connected: Promise<void> = Promise.resolve();

  /**
   * Connects the sockets, re-reads the position mode, positions and open orders, reconciles protection against
   * them and resumes what the order journal left open. Orders are answered meanwhile (over REST until the WebSocket
   * API is up).
   */
  connect(): Promise<void> {
    this.connected = this.#connect();
    return this.connected;
  }

  async #connect(): Promise<void> {
    this.client.market.subscribe({
      markPrice: (e) => {
        this.book.marks.set(e.s, { price: e.p, atMs: Date.now() });
        this.hooks.mark(e.s, e.p, e.E);
        void this.protector.feed({ type: 'mark', symbol: e.s, price: e.p, atMs: e.E });
      },
      bookTicker: (e) => {
        this.book.quotes.set(e.s, { bid: e.b, ask: e.a });
      },
      reconnected: () => void this.refresh(),
    });
    this.client.user.subscribe({
      event: (e, receivedAtMs) => {
        for (const pe of protectionEventsFrom(e, this.#fills, performance.now())) {
          const stepped = this.protector.feed(pe);
          if (pe.type === 'fill') this.#noteFillRead(posKey(pe.symbol, pe.positionSide), receivedAtMs, stepped);
        }
        if (e.e === 'ORDER_TRADE_UPDATE') {
          if (e.o.x === 'TRADE') this.hooks.log('fill', `${e.o.S} ${e.o.l} ${e.o.s} @ ${e.o.L} (${e.o.X})`, { clientId: e.o.c });
          const replay = this.#replays.observe(e);
          if (replay !== null) void this.#undoReplay(replay);
        }
        if (e.e === 'ACCOUNT_UPDATE') this.#refreshBalanceSoon();
        if (this.book.apply(e)) {
          this.#updateStreams();
          this.hooks.changed();
        }
      },
      reconnected: () => {
        this.hooks.log('connection', 'User data stream reconnected: re-reading positions and open orders');
        void this.refresh();
      },
    });
    void this.client
      .start({
        // A trader's order sent by the previous worker and known only by its reserved id. Its fill is protected now,
        // provisionally: the previous worker's protector state may or may not have counted it, which the first read
        // settles. An order that reduces (as in #protectUnanswered) has nothing to protect.
        found: (entry, order) => {
          this.hooks.log('order', `${order.side} ${order.origQty} ${order.symbol} ${order.status}: sent by the previous worker, found on the exchange by its reserved id`, { clientId: order.clientOrderId });
          if (priorityOf(entry.intent) === 'routine') this.#protectProvisionally(order);
        },
      })
      .catch((e: unknown) => this.hooks.log('error', `Resuming the order journal failed: ${e instanceof Error ? e.message : String(e)}`));
    // Read again unless prepare() just did: a restored mode may be stale (the trader can switch it on Binance).
    const mode = this.#modeRead ? Promise.resolve(true) : this.#readPositionMode();
    // The account is read at once, so a position left unprotected while no worker ran gets its stop now, and again
    // once the user stream listens: a fill or a close between the first read and the stream's first open reaches
    // neither (events are not replayed, §8), which left a new position without its stop, or a closed one's stops
    // resident, until the next periodic re-read (the soak saw ~30 s of each after worker restarts).
    void this.client.user.opened.then(() => this.refresh());
    await Promise.all([mode, this.refresh()]);
    this.#scheduleReconcile();
  }

  get #accountKey(): string {
    return `account.v1:${this.material.profileId}`;
  }

  get #clockKey(): string {
    return `clock.v1:${this.client.endpoints.rest}`;
  }

  /**
   * The previous worker's clock samples and position mode (chrome.storage.session, parsed: a trust boundary).
   * True when the position mode was restored.
   */
  async #restoreAccount(): Promise<boolean> {
    const stored = await sessionWrites.read([this.#accountKey, this.#clockKey]);
    const samples = ClockSamplesSchema.safeParse(stored[this.#clockKey]);
    if (samples.success) this.client.clock.restore(samples.data, CLOCK_SAMPLE_MAX_AGE_MS);
    const account = StoredAccountSchema.safeParse(stored[this.#accountKey]);
    if (account.success) this.#hedge = account.data.hedge;
    return account.success;
  }

  /** Whether prepare() read the position mode from the exchange (connect then need not read it again). */
  #modeRead = false;

  /**
   * One-way or hedge mode (§4.3), kept for the next worker. An unreadable answer keeps what is known. True when the
   * exchange answered. Read from `accountConfig` (`dualSidePosition`, weight 5) rather than `positionSide/dual`
   * (weight 30, §3): every worker start reads it, and the soak's restarts spent 150 weight a minute on it alone.
   */
  async #readPositionMode(): Promise<boolean> {
    const dual = await this.client.rest.call('GET', '/fapi/v1/accountConfig', {}, { security: 'SIGNED', priority: 'routine' });
    const parsed = DualSchema.safeParse(dual.ok ? dual.body : null);
    if (!parsed.success) return false;
    this.#hedge = parsed.data.dualSidePosition;
    sessionWrites.write({ [this.#accountKey]: { hedge: this.#hedge } });
    return true;
  }

  #cancelReconcile: (() => void) | null = null;

  /**
   * While anything is guarded, positions and open orders are re-read on a fixed cadence and reconciled: events can
   * be lost (a silent private stream, a key that expired unseen, a worker stopped between a fill and its step), and
   * nothing else would notice an orphan stop or a naked position. About 90 request weight a run, under 12 % of the
   * 2,400 a minute at this cadence (fact sheet §6).
   */
  #scheduleReconcile(): void {
    if (this.#stopped) return;
    this.#cancelReconcile = workerScheduler.after(RECONCILE_EVERY_MS, () => {
      if (this.guarding || this.book.orders.size > 0) void this.refresh().finally(() => this.#scheduleReconcile());
      else this.#scheduleReconcile();
    });
  }

  #stopped = false;

  /** Stopped (on lock or a profile change): it reads, places and publishes nothing more. */
  get stopped(): boolean {
    return this.#stopped;
  }

  stop(): void {
    this.#stopped = true;
    const unused = [...this.#reservedIds.values()].map((r) => r.intentId);
    this.#reservedIds.clear();
    void this.client.releaseOrderIds(unused).catch((e: unknown) => workerLogger.warn('releasing reserved order ids failed', { error: String(e) }));
    this.#cancelReconcile?.();
    this.#balanceTimer?.();
    this.#refreshRetry?.();
    this.#refreshRetry = null;
    this.#cancelReconcile = null;
    this.client.stop();
  }

  /** Undoes an order the browser sent twice (see replay-guard.ts), and says so. */
  async #undoReplay(action: ReplayAction): Promise<void> {
    if (action.kind === 'flattened') {
      // Undoing a closing duplicate would re-open a position: never done automatically. The protector cancels the
      // closed position's stops from the position update; the re-read makes sure, should that update be lost.
      this.hooks.notify(
        'warn',
        `The browser re-sent the close order ${action.clientOrderId} after an unanswered request, and the exchange executed it again: ` +
          `it closed ${action.quantity} ${action.symbol} more (order ${action.orderId}), possibly of the position you had opened since. ` +
          `Nothing was re-opened; that position stays closed and its protective orders are cancelled. Check the Positions tab.`,
      );
      this.hooks.log('error', `Duplicate close ${action.orderId} of ${action.clientOrderId} closed ${action.quantity} ${action.symbol}; nothing re-opened`, { clientId: action.clientOrderId });
      await this.refresh();
      return;
    }
    if (action.kind === 'cancel') {
      const out = await this.client.rest.call('DELETE', '/fapi/v1/order', { symbol: action.symbol, orderId: action.orderId }, { security: 'SIGNED', priority: 'protective', symbol: action.symbol });
      this.hooks.notify(
        out.ok ? 'warn' : 'error',
        out.ok
          ? `The browser re-sent ${action.clientOrderId}: the duplicate order ${action.orderId} was canceled.`
          : `The browser re-sent ${action.clientOrderId}: canceling the duplicate order ${action.orderId} failed (${out.error.message}). Cancel it in the Positions tab.`,
      );
      return;
    }
    const entry = await this.client.placeOrder({
      kind: 'order',
      id: this.#nextIntentId(),
      clientId: `dup-${action.orderId}`.slice(0, 36),
      symbol: action.symbol,
      side: action.side,
      type: 'MARKET',
      quantity: action.quantity,
      ...(action.positionSide === 'BOTH' ? { reduceOnly: true } : { positionSide: action.positionSide }),
    }, this.#fillsFromAnswer());
    this.hooks.notify(
      isAccepted(entry) ? 'warn' : 'error',
      isAccepted(entry)
        ? `The browser re-sent ${action.clientOrderId} after an unanswered request; the duplicate fill (${action.quantity} ${action.symbol}, order ${action.orderId}) was closed at market.`
        : `The browser re-sent ${action.clientOrderId}; closing the duplicate ${action.quantity} ${action.symbol} failed (${entry.error?.message ?? 'unknown outcome'}). Reduce the position by hand.`,
    );
  }

  async #loadRules(): Promise<Result<void>> {
    const cacheKey = `exchangeInfo.v1:${this.client.endpoints.rest}`;
    const cached = CachedInfoSchema.safeParse((await chrome.storage.local.get(cacheKey))[cacheKey]);
    let raw: unknown = cached.success && Date.now() - cached.data.fetchedAtMs < EXCHANGE_INFO_TTL_MS ? cached.data.info : undefined;
    if (raw === undefined) {
      const out = await this.client.rest.call('GET', '/fapi/v1/exchangeInfo', {}, { security: 'NONE', priority: 'routine' });
      if (!out.ok) return err(out.error.code, `Could not load the exchange's trading rules: ${out.error.message}`);
      raw = out.body;
      await chrome.storage.local.set({ [cacheKey]: { fetchedAtMs: Date.now(), info: raw } });
    }
    const parsed = ExchangeInfoSchema.safeParse(raw);
    if (!parsed.success) return err('EXCHANGE', 'The exchange answered exchangeInfo with an unexpected shape.');
    this.rules = rulesFromExchangeInfo(parsed.data);
    return ok(undefined);
  }

  #balanceTimer: (() => void) | null = null;

  /**
   * ACCOUNT_UPDATE carries wallet balances, not the available balance, which is re-read over REST (weight 5). A burst
   * of fills makes one read, not one per event: at a few fills a second, one read each would spend the whole
   * 2,400-a-minute weight budget (fact sheet §6) and starve the order lookups that exactly-once depends on.
   */
  #refreshBalanceSoon(): void {
    if (this.#balanceTimer !== null) return;
    this.#balanceTimer = workerScheduler.after(BALANCE_COALESCE_MS, () => {
      this.#balanceTimer = null;
      void this.client.rest.balances().then((b) => {
        if (b.ok) {
          this.book.setBalances(b.value);
          this.hooks.changed();
        }
      });
    });
  }

  /** Feeds the protector what an order's answer says has filled, unless the stream already told it. */
  #fillFromAnswer(order: Order | null): void {
    const readAt = performance.now();
    const fill = order === null ? null : this.#fills.fromAnswer(order, readAt);
    if (fill === null) return;
    this.#noteFillRead(posKey(fill.symbol, fill.positionSide), readAt, this.protector.feed(fill));
  }

  /**
   * Per position key, when the worker read a fill (`performance.now()`): the stream message taken off the socket, or
   * the order's answer parsed. Kept until the fill's step has run, which decides its stop and starts placing it.
   */
  readonly #fillReadAt = new Map<string, number>();

  #noteFillRead(key: string, atMs: number, stepped: Promise<void>): void {
    if (this.#fillReadAt.has(key)) return;
    this.#fillReadAt.set(key, atMs);
    const done = (): void => {
      if (this.#fillReadAt.get(key) === atMs) this.#fillReadAt.delete(key);
    };
    stepped.then(done, done);
  }

  /**
   * The timing of a stop that a fill read in this task calls for, or null: the journal line of the accepted stop then
   * carries `sent`, from the fill's read to the stop's first frame or request handed over, the worker's own share of
   * fill → stop (issue #7 bounds it at 2 ms). `performance.now()` in a worker steps by 0.1 ms.
   */
  #stopTiming(key: string): { trace: OrderTrace; latency(): Record<string, number> | undefined } | null {
    const readAt = this.#fillReadAt.get(key);
    if (readAt === undefined) return null;
    this.#fillReadAt.delete(key);
    let sentAt: number | undefined;
    return {
      trace: { sent: () => (sentAt ??= performance.now()), answered: () => undefined },
      latency: () => (sentAt === undefined ? undefined : { sent: Math.round((sentAt - readAt) * 100) / 100 }),
    };
  }

  #fillsFromAnswer(): OrderTrace {
    return { sent: () => undefined, answered: (order) => this.#fillFromAnswer(order), looked: (order) => this.#fillFromAnswer(order) };
  }

  /**
   * The protector learns of a fill from the order's answer or the user data stream. The answer alone sizes the stop
   * from what the protector knew before, and only the stream reports what the exchange did meanwhile (a stop or a
   * trailing tier that closed the position): a full soak had a short of 0.004 covered by a stop for 0.001 for 1.5 s
   * while the private stream was silent, the long that a trailing stop had closed still counted. And a worker woken
   * by the order itself may fill it before that stream is connected. So if the stream has not shown an entry's trade
   * shortly after it filled, positions are re-read over REST and the reconcile sizes the stop to the exchange's.
   * Until that read lands (a 429 on reads held one for 2 s in a full soak, while stops still went through), the
   * entry also gets a provisional stop as if it opened a position on its own (src/core/asl/provisional.ts).
   */
  #watchProtection(symbol: string, clientOrderId: string, order: Order | null): void {
    const unconfirmed = (): void => {
      if (order !== null) this.#protectProvisionally(order);
    };
    // The stream delivered this order's fill: the protector has it and what came before it. Re-reading then would
    // spend 90 request weight for nothing, and did so after a third of the soak's trades, using up the minute's
    // budget (§6) until the stops' cancels were held.
    if (!this.client.user.isOpen) {
      unconfirmed();
      void this.refresh();
      return;
    }
    workerScheduler.after(UNPROTECTED_CHECK_MS, () => {
      if (this.#replays.sawTrade(clientOrderId)) return;
      this.hooks.log('stop', `No fill of ${symbol} seen on the user stream ${UNPROTECTED_CHECK_MS} ms after the order filled: re-reading positions`);
      unconfirmed();
      void this.refresh();
    });
  }

  /** Protects what an entry order has filled as a position of its own (src/core/asl/provisional.ts) until a report settles it. */
  #protectProvisionally(order: Order): void {
    const price = order.avgPrice;
    if (price === undefined || !gt(order.executedQty, '0') || !gt(price, '0')) return;
    void this.protector.feed({ type: 'unconfirmedEntry', symbol: order.symbol, positionSide: sidePos(order.positionSide), side: order.side, qty: order.executedQty, price, atMs: Date.now() });
  }

  #reading: Promise<void> | null = null;
  #readAgain: Promise<void> | null = null;

  /**
   * Re-reads positions, balances and open orders over REST, and reconciles protection against them. Calls made
   * while a read is under way share one more read after it (that read may have been sent before what prompted
   * them): each read costs ~90 of the 2,400 request weight a minute (§6), and a burst of fills, reconnects and
   * unseen orders used to start one each until the limiter held everything, the stops' own cancels included.
   */
  refresh(): Promise<void> {
    if (this.#reading === null) {
      this.#reading = this.#read().finally(() => {
        this.#reading = null;
      });
      return this.#reading;
    }
    const again = (): Promise<void> => {
      this.#readAgain = null;
      return this.refresh();
    };
    this.#readAgain ??= this.#reading.then(again, again);
    return this.#readAgain;
  }

  #lastFullReadMs = Number.NEGATIVE_INFINITY;
  #balancesRead = false;

  async #read(): Promise<void> {
    if (this.#stopped) return;
    // Taken before the reads: what the stream changes while they are under way is newer than they are.
    const sinceSeq = this.protector.seq;
    const full = Date.now() - this.#lastFullReadMs >= FULL_READ_EVERY_MS;
    // Balances follow the user stream (ACCOUNT_UPDATE, then one coalesced read): besides a worker's first read, only
    // the full read also reads them, at 5 weight, so a missed update lasts a minute at most.
    const [positions, balances] = await Promise.all([
      this.client.rest.call('GET', '/fapi/v2/positionRisk', {}, { security: 'SIGNED', priority: 'protective' }).then((o) => parseOutcome(o, z.array(PositionSchema), 'positions')),
      full || !this.#balancesRead ? this.client.rest.balances() : null,
    ]);
    if (this.#stopped) return;
    if (balances?.ok === true) {
      this.book.setBalances(balances.value);
      this.#balancesRead = true;
    }
    if (!positions.ok) {
      // Without positions the orders cannot be judged: not read, at 80 weight, for nothing.
      this.#retryRefresh(`${positions.error.code}: ${positions.error.message}`);
      this.hooks.changed();
      return;
    }
    this.book.setPositions(positions.value);
    const open = positions.value.filter((p) => gt(abs(p.positionAmt), '0'));
    // Every symbol the protector or the book knows is in the scope, so no order they track can look gone only
    // because its symbol was not read; one added since is newer than the read, which the reconcile leaves alone.
    const scope = full
      ? null
      : new Set([
          ...open.map((p) => p.symbol),
          ...this.protector.symbols(),
          ...[...this.book.orders.values()].map((o) => o.symbol),
          ...this.#symbolsInView,
        ]);
    const [orders, algos] =
      scope === null
        ? await Promise.all([this.client.rest.openOrders(), this.client.rest.openAlgoOrders()])
        : await Promise.all([
            Promise.all([...scope].map((s) => this.client.rest.openOrders(s))).then(merged),
            Promise.all([...scope].map((s) => this.client.rest.openAlgoOrders(s))).then(merged),
          ]);
    if (this.#stopped) return;
    if (orders.ok && algos.ok) {
      this.book.setOpenOrders(orders.value, algos.value, scope);
      if (full) this.#lastFullReadMs = Date.now();
    }
    if (algos.ok) {
      await this.protector.feed({
        type: 'openAlgoOrders',
        positions: open.map((p) => ({ symbol: p.symbol, positionSide: sidePos(p.positionSide), amount: p.positionAmt, entryPrice: p.entryPrice })),
        orders: algos.value.map((a) => ({
          algoId: String(a.algoId),
          clientAlgoId: a.clientAlgoId,
          symbol: a.symbol,
          side: a.side,
          positionSide: sidePos(a.positionSide),
          orderType: a.orderType,
          quantity: a.quantity ?? '0',
          ...(a.triggerPrice === undefined ? {} : { triggerPrice: a.triggerPrice }),
          closePosition: a.closePosition ?? false,
          reduceOnly: a.reduceOnly ?? false,
        })),
        sinceSeq,
        // Fills are matched against the read by the exchange's times, not by when its answer was handled: a fill
        // after a row's last change is not in it (the soak found an entry filled between the positions read and
        // its handling skipped as "already in the read", and the position went 1.5 s without a stop).
        positionTimes: Object.fromEntries(
          positions.value.filter((p) => p.updateTime > 0 || gt(abs(p.positionAmt), '0')).map((p) => [posKey(p.symbol, sidePos(p.positionSide)), p.updateTime]),
        ),
        atMs: Date.now(),
      });
      this.#refreshBackoff.reset();
    } else {
      this.#retryRefresh(`${algos.error.code}: ${algos.error.message}`);
    }
    this.#updateStreams();
    this.hooks.changed();
  }

  readonly #refreshBackoff = new Backoff(() => Math.random(), { baseMs: 1_000, maxMs: 8_000, jitterRatio: 0.2 });
  #refreshRetry: (() => void) | null = null;

  /**
   * A failed re-read (a 429 hold, a 5xx, a dropped connection) is tried again after 1, 2, 4, then every 8 s rather
   * than at the next 20 s reconcile: until it succeeds, a position closed unseen keeps its stops, and one opened
   * unseen has none. During a 418 ban the limiter refuses it locally, at no cost, until the ban ends (§6). A
   * read refused by such a hold is tried again as the hold ends, not after the back-off: the full soak found
   * positions opened during a 1 s ban waiting 2.5 s more for the 2 s retry, without their stops.
   */
  #retryRefresh(reason: string): void {
    const backoffMs = this.#refreshBackoff.next();
    const holdMs = this.client.holdRemainingMs(weightOf('GET', '/fapi/v2/positionRisk').weight, 'protective');
    const delayMs = holdMs > 0 ? Math.min(backoffMs, holdMs + HOLD_END_MARGIN_MS) : backoffMs;
    this.hooks.log('error', `Could not re-read positions and open orders (${reason}); trying again in ${(delayMs / 1000).toFixed(1)} s`);
    if (this.#refreshRetry !== null || this.#stopped) return;
    this.#refreshRetry = workerScheduler.after(delayMs, () => {
      this.#refreshRetry = null;
      void this.refresh();
    });
  }

  /** Sets the symbol's leverage on the exchange when the ticket's differs from it (weight 1, §3). */
  async applyLeverage(symbol: string, leverage: number): Promise<Result<void>> {
    if (this.book.leverage.get(symbol) === leverage || !this.rules.has(symbol)) return ok(undefined);
    const out = await this.client.rest.call('POST', '/fapi/v1/leverage', { symbol, leverage: String(leverage) }, { security: 'SIGNED', priority: 'routine', symbol });
    if (!out.ok) {
      this.hooks.notify('warn', `Leverage for ${symbol} stays at ${this.book.leverage.get(symbol) ?? 'the exchange’s setting'}: ${out.error.message}`);
      return { ok: false, error: out.error };
    }
    this.book.leverage.set(symbol, leverage);
    this.hooks.log('order', `Leverage ${symbol} set to ${leverage}x`);
    return ok(undefined);
  }

  /** The symbol in the ticket plus every symbol with a position: mark prices for all of them. */
  setSymbolInView(symbol: string): void {
    this.#symbolsInView = new Set([symbol]);
    this.#updateStreams();
    this.#reserveFor(symbol);
  }

  #updateStreams(): void {
    const symbols = new Set(this.#symbolsInView);
    for (const p of this.book.positions.values()) symbols.add(p.symbol);
    this.client.market.setSymbols([...symbols]);
  }

  /**
   * The mark and the expected fill price (far side of the book). A missing or stale mark, or no book quote yet (a
   * cold worker whose streams are still connecting; the book ticker streams only on change), is read over REST: an
   * order is never sized on a stale price, nor on the mark where the book's far side is what it will pay.
   */
  async #prices(symbol: string, side: Side): Promise<Result<{ mark: string; fill: string }>> {
    let mark = this.book.marks.get(symbol);
    if (mark === undefined || Date.now() - mark.atMs > STALE_MARK_MS || !this.book.quotes.has(symbol)) {
      const [premium, quote] = await Promise.all([
        this.client.rest.call('GET', '/fapi/v1/premiumIndex', { symbol }, { security: 'NONE', priority: 'routine', symbol }),
        this.client.rest.call('GET', '/fapi/v1/ticker/bookTicker', { symbol }, { security: 'NONE', priority: 'routine', symbol }),
      ]);
      const p = PremiumSchema.safeParse(premium.ok ? premium.body : null);
      const q = BookSchema.safeParse(quote.ok ? quote.body : null);
      if (!p.success) return err('NETWORK', `No live price for ${symbol}: the exchange did not answer. No order was sent.`);
      mark = { price: p.data.markPrice, atMs: Date.now() };
      this.book.marks.set(symbol, mark);
      if (q.success) this.book.quotes.set(symbol, { bid: q.data.bidPrice, ask: q.data.askPrice });
    }
    const q = this.book.quotes.get(symbol);
    return ok({ mark: mark.price, fill: q === undefined ? mark.price : side === 'BUY' ? q.ask : q.bid });
  }

  /**
   * Sizes the ticket at the live price and validates the order against the symbol's filters: the same path for the
   * preview the trader sees and the order that is sent, so what the preview shows is what goes out.
   */
  async #prepare(ticket: Ticket, side: Side): Promise<Result<{ order: ValidOrder; sized: Sized }>> {
    const rules = this.rules.get(ticket.symbol);
    if (rules === undefined) return err('VALIDATION', `${ticket.symbol} is not a symbol this exchange lists.`);
    const px = await this.#prices(ticket.symbol, side);
    if (!px.ok) return px;
    const sized = sizeTicket({ ...ticket, side }, rules, { fillPrice: px.value.fill, availableBalance: this.book.availableBalance });
    if (!sized.ok) return sized;
    const valid = validateOrder(
      {
        symbol: ticket.symbol,
        side,
        type: ticket.orderType,
        quantity: sized.value.quantity,
        ...(ticket.orderType === 'LIMIT' && ticket.price !== undefined ? { price: ticket.price } : {}),
        reduceOnly: ticket.reduceOnly,
        postOnly: ticket.postOnly,
        positionSide: this.#positionSide(side),
      },
      rules,
      { markPrice: px.value.mark },
    );
    return valid.ok ? ok({ order: valid.value, sized: sized.value }) : valid;
  }

  /** One-way mode trades BOTH; hedge mode opens LONG with BUY and SHORT with SELL (§4.3). */
  #positionSide(side: Side): 'BOTH' | 'LONG' | 'SHORT' {
    return this.#hedge ? (side === 'BUY' ? 'LONG' : 'SHORT') : 'BOTH';
  }

  async preview(ticket: Ticket, side: Side): Promise<Result<Preview>> {
    const prepared = await this.#prepare(ticket, side);
    return prepared.ok ? ok({ symbol: ticket.symbol, side, ...prepared.value.sized }) : prepared;
  }

  /**
   * Sizes, validates and places the ticket's order exactly once. `receivedAt` is when the request reached the
   * worker, on `performance.now()`: the breakdown's `received…` figures are measured from it.
   */
  async submit(ticket: Ticket, side: Side, inputAtMs: number, receivedAt: number): Promise<Result<OrderAck>> {
    const prepared = await this.#prepare(ticket, side);
    if (!prepared.ok) return prepared;
    const { order: v, sized } = prepared.value;
    const positionSide = v.positionSide;
    if (ticket.stopPercent !== undefined && !ticket.reduceOnly) {
      // Queued, not awaited: the protector applies events in arrival order, and this one is queued before the order
      // leaves, so before any of its fills; the order does not wait behind mark ticks still being applied.
      void this.protector.feed({ type: 'traderStop', symbol: v.symbol, positionSide, side: v.side, stopPrice: sized.stopPrice, atMs: Date.now() });
    }
    const intent: OrderIntent = {
      kind: 'order',
      id: this.#intentIdFor(v.symbol),
      symbol: v.symbol,
      side: v.side,
      type: v.type,
      quantity: v.quantity,
      ...(v.price === undefined ? {} : { price: v.price }),
      ...(v.timeInForce === undefined ? {} : { timeInForce: v.timeInForce }),
      // Binance refuses reduceOnly in hedge mode (§4.3): there the position side says what is closed.
      ...(this.#hedge ? { positionSide } : v.reduceOnly ? { reduceOnly: true } : {}),
      ...(v.reduceOnly ? {} : { expectedPrice: sized.price }),
    };
    this.hooks.log('intent', `${side} ${v.quantity} ${v.symbol} ${v.type}${v.price === undefined ? '' : ` @ ${v.price}`}`);
    const worker: { sentAt?: number; answeredAt?: number } = {};
    let known: Order | null = null;
    const placed = this.client.placeOrder(intent, {
      sent: () => (worker.sentAt = performance.now()),
      // A late answer's order, looked up meanwhile: its fill is protected now, and re-read if the stream lags too.
      looked: (order) => {
        known = order;
        this.#fillFromAnswer(order);
        if (!v.reduceOnly && gt(order.executedQty, '0')) this.#watchProtection(v.symbol, order.clientOrderId, order);
      },
      answered: (order) => {
        worker.answeredAt = performance.now();
        if (order !== null) known = order;
        this.#fillFromAnswer(order);
      },
    });
    const entry = await placed;
    // The next order's id, reserved once this order is answered: not before its frame, nor between its fill and the
    // fill's protective stop (a market order is answered after the worker has sent that stop), where a CPU profile
    // of the bench's fills found the write when it was issued right after the frame.
    this.#reserveFor(v.symbol);
    if (!v.reduceOnly && (entry.exchangeStatus === 'FILLED' || entry.exchangeStatus === 'PARTIALLY_FILLED')) this.#watchProtection(v.symbol, entry.clientOrderId, known);
    return this.#ack(entry, side, v.quantity, inputAtMs, {
      ...(worker.sentAt === undefined ? {} : { receivedToSentMs: worker.sentAt - receivedAt }),
      ...(worker.answeredAt === undefined ? {} : { receivedToAnswerMs: worker.answeredAt - receivedAt }),
    });
  }

  /**
   * The answer to the trader waits for the journal entry to be stored: a worker stopped right after answering
   * would otherwise lose the record of an order that exists. The order itself left long before.
   */
  async #ack(entry: JournalEntry, side: Side, quantity: string, inputAtMs: number, worker: WorkerLatency): Promise<Result<OrderAck>> {
    const { result, kind, text, extra } = this.#ackOf(entry, side, quantity, inputAtMs, worker);
    await this.hooks.log(kind, text, extra);
    return result;
  }

  #ackOf(
    entry: JournalEntry,
    side: Side,
    quantity: string,
    inputAtMs: number,
    worker: WorkerLatency,
  ): { result: Result<OrderAck>; kind: 'order' | 'error'; text: string; extra: { clientId: string; latency?: Record<string, number> } } {
    const t = entry.times;
    const latency = {
      signedMs: (t.signedMs ?? inputAtMs) - inputAtMs,
      sentMs: (t.sentMs ?? inputAtMs) - inputAtMs,
      ackMs: (t.ackMs ?? t.updatedMs) - inputAtMs,
      ...worker,
    };
    if (!isAccepted(entry)) {
      const error: AppError = entry.error ?? { code: 'UNKNOWN_STATUS', message: 'The order’s outcome is unknown.' };
      return {
        result: { ok: false, error },
        kind: 'error',
        text: `${side} ${quantity} ${entry.intent.symbol}: ${error.message}`,
        extra: { clientId: entry.clientOrderId },
      };
    }
    const result: Result<OrderAck> = ok({
      intentId: entry.intentId,
      clientOrderId: entry.clientOrderId,
      side,
      symbol: entry.intent.symbol,
      quantity,
      status: entry.exchangeStatus ?? entry.state,
      via: entry.via === 'ws-api' ? 'ws' : 'rest',
      latency,
    });
    return {
      result,
      kind: 'order',
      text: `${side} ${quantity} ${entry.intent.symbol} ${entry.exchangeStatus ?? entry.state} via ${entry.via ?? 'rest'}`,
      extra: { clientId: entry.clientOrderId, latency: { signed: latency.signedMs, sent: latency.sentMs, acknowledged: latency.ackMs } },
    };
  }

  /** Closes one position at market, reduce-only. */
  async closePosition(symbol: string, positionSide: 'BOTH' | 'LONG' | 'SHORT'): Promise<Result<{ clientOrderId: string }>> {
    // A worker just woken by this request knows the positions only once it has read them.
    await this.connected;
    const pos = [...this.book.positions.values()].find((p) => p.symbol === symbol && p.positionSide === positionSide);
    if (pos === undefined) return err('VALIDATION', `No open ${symbol} position to close.`);
    const side: Side = isNegative(pos.amount) ? 'BUY' : 'SELL';
    const entry = await this.client.placeOrder({
      kind: 'order',
      id: this.#nextIntentId(),
      symbol,
      side,
      type: 'MARKET',
      quantity: abs(pos.amount),
      ...(positionSide === 'BOTH' ? { reduceOnly: true } : { positionSide }),
    }, this.#fillsFromAnswer());
    if (!isAccepted(entry)) {
      // -2022: nothing left to reduce. The position was closed meanwhile (its stop triggered, another close won the
      // race) and the book had not heard yet: re-read, and if it is gone the trader's wish is already true.
      if (entry.error?.exchangeCode === -2022) {
        await this.refresh();
        const still = [...this.book.positions.values()].some((p) => p.symbol === symbol && p.positionSide === positionSide);
        if (!still) {
          await this.hooks.log('order', `Close ${symbol}: the position was already closed`, { clientId: entry.clientOrderId });
          return ok({ clientOrderId: entry.clientOrderId });
        }
      }
      return { ok: false, error: entry.error ?? { code: 'UNKNOWN_STATUS', message: 'The close order’s outcome is unknown.' } };
    }
    // Answered once it is journaled, as an order is: a worker stopped right after the answer must not lose it.
    await this.hooks.log('order', `Close ${symbol} ${abs(pos.amount)} at market`, { clientId: entry.clientOrderId });
    return ok({ clientOrderId: entry.clientOrderId });
  }

  async cancel(kind: 'order' | 'algo', symbol: string, clientId: string): Promise<Result<{ canceled: true }>> {
    const entry =
      kind === 'order'
        ? await this.client.cancelOrder({ kind: 'cancel', id: this.#nextIntentId(), symbol, origClientOrderId: clientId })
        : await this.client.cancelAlgoOrder({ kind: 'cancel-algo', id: this.#nextIntentId(), symbol, clientAlgoId: clientId });
    if (entry.state !== 'canceled') return { ok: false, error: entry.error ?? { code: 'UNKNOWN_STATUS', message: 'The cancel’s outcome is unknown.' } };
    return ok({ canceled: true });
  }

  /** Cancels every open order and conditional order, symbol by symbol (both endpoints are per symbol, §3). */
  async cancelAll(): Promise<Result<{ canceled: number }>> {
    await this.connected;
    const orders = [...this.book.orders.values()];
    const symbols = new Set(orders.map((o) => o.symbol));
    const results = await Promise.all(
      [...symbols].flatMap((symbol) => [
        this.client.rest.call('DELETE', '/fapi/v1/allOpenOrders', { symbol }, { security: 'SIGNED', priority: 'protective', symbol }),
        this.client.rest.call('DELETE', '/fapi/v1/algoOpenOrders', { symbol }, { security: 'SIGNED', priority: 'protective', symbol }),
      ]),
    );
    return this.#afterCancels(results, orders.length);
  }

  /**
   * Flatten's cancels: the trader's own orders, and none of the protector's. Those go with their positions (the
   * protector cancels a flat position's orders one by one), and stay where a close failed, so an open position keeps
   * its stop. A symbol-wide algo cancel would race the protector's own cancels, each loser costing a refused cancel
   * and a lookup: half the soak's request weight went there.
   */
  async #cancelTraderOrders(): Promise<Result<{ canceled: number }>> {
    const orders = [...this.book.orders.values()].filter((o) => parseClientId(o.clientId) === null);
    const withPlain = new Set(orders.filter((o) => o.kind === 'order').map((o) => o.symbol));
    const results = await Promise.all([
      ...[...withPlain].map((symbol) => this.client.rest.call('DELETE', '/fapi/v1/allOpenOrders', { symbol }, { security: 'SIGNED', priority: 'protective', symbol })),
      ...orders.filter((o) => o.kind === 'algo').map((o) => this.cancel('algo', o.symbol, o.clientId)),
    ]);
    return this.#afterCancels(results, orders.length);
  }

  /** Re-reads the account after cancels, then answers the first failure, or how many orders were cancelled. */
  async #afterCancels(results: ReadonlyArray<CallOutcome | Result<unknown>>, count: number): Promise<Result<{ canceled: number }>> {
    await this.refresh();
    for (const r of results) {
      if (r.ok) continue;
      return { ok: false, error: r.error };
    }
    return ok({ canceled: count });
  }

  /**
   * Closes every position at market (reduce-only), then cancels the trader's orders; the protector cancels its
   * own as each position goes flat. Closing first keeps each position's stop resident until the position is gone:
   * canceling first would leave it unprotected for the round trips between.
   */
  async flatten(): Promise<Result<{ canceledOrders: number; closedPositions: number }>> {
    await this.connected;
    const positions = [...this.book.positions.values()];
    const closes = await Promise.all(positions.map((p) => this.closePosition(p.symbol, p.positionSide)));
    const canceled = await this.#cancelTraderOrders();
    const failed = closes.find((c) => !c.ok);
    if (failed !== undefined && !failed.ok) return { ok: false, error: failed.error };
    if (!canceled.ok) return canceled;
    return ok({ canceledOrders: canceled.value.canceled, closedPositions: positions.length });
  }

  snapshot(ticket: Ticket): TradingSnapshot {
    const views = this.protector.views();
    const protectiveIds = new Set([...this.book.orders.values()].filter((o) => parseClientId(o.clientId) !== null).map((o) => o.clientId));
    const limiter = this.client.limiterState();
    const ws = this.client.wsApi;
    return this.book.snapshot(ticket, [...this.rules.keys()].sort(), views, protectiveIds, {
      rest: limiter.reason === null ? 'ok' : 'degraded',
      wsApi: ws === null ? 'down' : ws.isUp ? 'up' : 'connecting',
      market: this.book.marks.size > 0 ? 'up' : 'connecting',
      user: this.client.user.isOpen ? 'up' : 'connecting',
      clockOffsetMs: this.client.clock.offsetMs,
      rttMs: this.client.clock.rttMs,
      ...(limiter.reason === null ? {} : { limiter: limiter.reason }),
    });
  }

  /** True while positions or protective orders exist: the worker must stay awake for the tiers and the stream. */
  get guarding(): boolean {
    return this.book.positions.size > 0 || this.protector.guarding;
  }
}

type WorkerLatency = Pick<OrderAck['latency'], 'receivedToSentMs' | 'receivedToAnswerMs'>;

const sidePos = (ps: string | undefined): 'BOTH' | 'LONG' | 'SHORT' => (ps === 'LONG' || ps === 'SHORT' ? ps : 'BOTH');

function isAccepted(entry: JournalEntry): boolean {
  return entry.state === 'acked' || entry.state === 'filled' || entry.state === 'final';
}

/** Per-symbol answers as one: every order, or the first failure. */
function merged<T>(answers: ReadonlyArray<Answer<readonly T[]>>): Answer<T[]> {
  const out: T[] = [];
  for (const a of answers) {
    if (!a.ok) return a;
    out.push(...a.value);
  }
  return { ok: true, value: out };
}
