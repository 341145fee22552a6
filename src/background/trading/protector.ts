/**
 * Runs the protection engine (src/core/asl.ts) against the exchange: feeds it events one at a time, issues the save
 * of its state after every step and before any effect runs (so a worker restart resumes from what was decided),
 * executes the effects, and feeds their outcomes back as events. Effects run concurrently; steps never do.
 *
 * The save is not awaited: a save lost to a worker Chrome is stopping leaves the previous state, and the restarted
 * worker's reconcile against the exchange adopts or cancels whatever the lost steps placed (reconcile.ts). What a
 * lost save must not take with it is the id counter: a restarted worker that reused the client ids of stops still
 * resting had its next stop refused as a duplicate (-4116), and an id used twice makes a lookup by id ambiguous. So
 * ids are reserved in blocks with a confirmed write ({@link ID_BLOCK}), and a restarted worker starts past the last
 * reservation: only the first id of each block waits for storage.
 */
import * as z from 'zod/mini';
import {
  DEFAULT_PROTECTION_CONFIG,
  ProtectionStateSchema,
  RETRY_SAME_ID,
  emptyProtectionState,
  posKey,
  selectProtections,
  step,
  type AlgoOrderParams,
  type CloseOrderParams,
  type Effect,
  type ProtectionConfig,
  type ProtectionEvent,
  type ProtectionState,
  type ProtectionView,
} from '../../core/asl.ts';

export interface ProtectorPorts {
  now(): number;
  load(): Promise<unknown>;
  /** Issues the write of the state; not awaited (see the top of this file). */
  save(state: ProtectionState): void;
  /** Resolves with `algoAccepted` or `algoRejected` (code 0 for a transport failure). */
  placeAlgo(params: AlgoOrderParams): Promise<ProtectionEvent>;
  /** Resolves with `algoCanceled` or `cancelFailed`. */
  cancelAlgo(order: { symbol: string; clientAlgoId: string; algoId?: string }): Promise<ProtectionEvent>;
  /** Resolves with `closeResult`. */
  closeMarket(params: CloseOrderParams): Promise<ProtectionEvent>;
  notify(level: 'info' | 'warn' | 'error', text: string): void;
  /**
   * After every step, for the UI, which reads {@link Protector.views} when it paints: views computed at every step
   * (and not used) sat between a fill's step and its stop leaving, about 0.4 ms in a bench trace.
   */
  changed(): void;
  /** Runs `fn` after `ms` (the retry waits); defaults to setTimeout. */
  after?(ms: number, fn: () => void): void;
  /**
   * Each protective cancel as it is decided, with the event that led to it, for the worker's console: a full soak
   * had a new position's stop and tiers cancelled 60 ms after they were placed, and nothing said why.
   */
  trace?(text: string): void;
  /** How long the exchange client still refuses this kind of request (a 418 ban, a 429 hold), in ms; 0 when it does not. */
  holdMs?(effect: Exclude<Effect['type'], 'notify'>): number;
  /** The id reservation the last worker stored with {@link reserveIds}. */
  loadIdFloor(): Promise<unknown>;
  /** Stores the id reservation (per position key, the highest id reserved); resolves once the browser holds it. */
  reserveIds(floor: Readonly<Record<string, number>>): Promise<void>;
}

/**
 * Ids reserved per position key with one confirmed write. Ids carry up to 14 digits (ids.ts), so skipping the rest
 * of a block at each worker restart costs nothing.
 */
export const ID_BLOCK = 1_000;

const IdFloorSchema = z.record(z.string(), z.int().check(z.nonnegative()));

/**
 * A placement, cancel or close that failed for a passing reason (RETRY_SAME_ID: 0 = not sent, e.g. refused during a
 * 418 ban or held by the rate limiter, §6; or an unknown status or load, §5) is fed back only after a wait: fed at
 * once, the reducer's retries all met the same hold within milliseconds (a full soak: three stop placements inside
 * one 1 s ban in 50 ms, then the position had no stop until the trader closed it). The wait is the client's hold
 * when one is known, to its end; otherwise a backoff from {@link RETRY_BASE_MS}.
 */
const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 2_000;
/** A retry timed to a hold's end goes this long after it: past its last millisecond. */
const HOLD_END_MARGIN_MS = 20;
/**
 * A stop placement without an outcome this long after it started is overdue (the `stopOverdue` event: a new
 * generation beside it). Past the client's own recovery of a lost WebSocket answer, 250 ms to the REST hedge and up
 * to 250 ms of lookup before it (orders.ts), so that a healthy hedge never doubles a stop.
 */
export const STOP_DEADLINE_MS = 750;

/**
 * The state as stored after each step: the symbol rules only of the symbols it tracks. The engine holds the rules
 * of every listed symbol (hundreds on mainnet); stored at every step, marks included, they would make each save
 * grow with the exchange's listing instead of with what is held. The session feeds every rule again right after
 * loading (TradingSession.prepare).
 */
function persisted(state: ProtectionState): ProtectionState {
  const rules: ProtectionState['rules'] = {};
  for (const rec of Object.values(state.positions)) {
    const rule = state.rules[rec.symbol];
    if (rule !== undefined) rules[rec.symbol] = rule;
  }
  return { ...state, rules };
}

/**
 * What runs in the step's own task: a stop (the safety, trader's or provisional one, or a tier's level in worker
 * mode), a close at market, and the notices, which reach the trader in step order with the answers to requests (a
 * flatten's "Flattened" must not be followed by a notice its own re-read decided before it).
 */
function goesAtOnce(effect: Effect): boolean {
  return effect.type === 'notify' || effect.type === 'closeMarket' || (effect.type === 'placeAlgo' && effect.params.type === 'STOP_MARKET');
}

export class Protector {
  #state: ProtectionState = emptyProtectionState();
  #queue: Promise<void> = Promise.resolve();
  #inFlight = 0;
  /**
   * Placements running in this worker, by client id (a count: a retry under the same id starts while the step of
   * the previous attempt's outcome is still finishing), from their effect until their outcome has been stepped.
   */
  readonly #placements = new Map<string, number>();
  /** Per stop's client id, the run of its placement still without an outcome: a deadline belongs to one run. */
  readonly #stopRuns = new Map<string, number>();
  #stopRunSeq = 0;
  /** Batches of effects decided and not yet started (they go after the task that decided them). */
  #deferred = 0;
  /** Transient failures in a row, per order (a close: per position), the backoff's exponent. */
  readonly #failures = new Map<string, number>();
  /** Orders whose cancel is decided or on the wire; in memory only, as a restarted worker has none. */
  readonly #cancelling = new Set<string>();
  /** Per position key, the highest id whose reservation is stored. */
  #reserved: Record<string, number> = {};

  constructor(
    private readonly ports: ProtectorPorts,
    private readonly config: ProtectionConfig = DEFAULT_PROTECTION_CONFIG,
  ) {}

  /** Loads the persisted state; an unreadable one starts empty (the next reconcile rebuilds it from the exchange). */
  async init(): Promise<void> {
    const [state, floor] = await Promise.all([this.ports.load(), this.ports.loadIdFloor()]);
    const parsed = ProtectionStateSchema.safeParse(state);
    this.#state = parsed.success ? parsed.data : emptyProtectionState();
    // An unreadable reservation is treated as none: the reconcile still moves each counter past the ids resting on
    // the exchange, which are the ones a duplicate would be refused against.
    const reserved = IdFloorSchema.safeParse(floor);
    this.#reserved = reserved.success ? { ...reserved.data } : {};
    // Ids up to the reservation may have been used by a worker whose last saves were lost: start past them.
    const counters = { ...this.#state.counters };
    for (const [key, n] of Object.entries(this.#reserved)) counters[key] = Math.max(counters[key] ?? 0, n);
    this.#state = { ...this.#state, counters };
  }

  /** The client ids of the placements the state shows decided but not answered (positions' and provisional). */
  placing(): string[] {
    const ids = Object.values(this.#state.positions).flatMap((rec) => rec.orders.filter((o) => o.status === 'placing').map((o) => o.clientAlgoId));
    for (const [id, p] of Object.entries(this.#state.provisional)) if (p.status === 'placing') ids.push(id);
    return ids;
  }

  /**
   * Sends the placements the previous worker decided on that `neverSent` says never left (it was stopped first),
   * under their ids. Waiting for the first re-read instead left a position 2.7 s without its stop in a full soak:
   * the worker stopped 7 ms after deciding the stop, and the next worker's read was held by a 429 on reads, which
   * stops pass (weight 0, §6). Only what provably never left: the stored state can be older than what the previous
   * worker did (its last saves may be lost), and re-sending a stop it had placed and cancelled since put a second
   * set on the exchange. Called once the clock is restored, so the sends are signed on the exchange's time.
   */
  resendPlacing(neverSent: (clientAlgoId: string) => boolean): void {
    for (const rec of Object.values(this.#state.positions)) {
      for (const o of rec.orders) if (o.status === 'placing' && neverSent(o.clientAlgoId)) this.#run({ type: 'placeAlgo', posKey: posKey(rec.symbol, rec.positionSide), params: o.params });
    }
    for (const [id, p] of Object.entries(this.#state.provisional)) if (p.status === 'placing' && neverSent(id)) this.#run({ type: 'placeAlgo', posKey: p.posKey, params: p.params });
  }

  /** Queues an event; resolves when its step has been applied and its save issued (not when its effects finish). */
  feed(event: ProtectionEvent): Promise<void> {
    const run = this.#queue.then(() => this.#apply(event));
    this.#queue = run.catch((e: unknown) => this.ports.notify('error', `Protection engine error: ${e instanceof Error ? e.message : String(e)}`));
    return run;
  }

  /**
   * Steps applied so far. A caller that reads positions and open orders for an `openAlgoOrders` reconcile takes
   * this before sending the reads and passes it as `sinceSeq`: whatever the stream changed after it stays.
   */
  get seq(): number {
    return this.#state.seq;
  }

  /**
   * Symbols of every position the protector tracks, including closed ones whose orders it is still cancelling, and
   * of its provisional stops: a re-read must list their open orders, or a resting one would look gone.
   */
  symbols(): string[] {
    return [...Object.values(this.#state.positions).map((r) => r.symbol), ...Object.values(this.#state.provisional).map((p) => p.params.symbol)];
  }

  views(): ProtectionView[] {
    return selectProtections(this.#state, this.config);
  }

  /** True while an effect is due or on the wire: the caller keeps the worker busy until it settles. */
  get busy(): boolean {
    return this.#inFlight > 0 || this.#deferred > 0;
  }

  /** Whether any position or protective order is being looked after (the worker must stay alive). */
  get guarding(): boolean {
    return Object.values(this.#state.positions).some((p) => p.size !== '0' || p.orders.length > 0) || Object.keys(this.#state.provisional).length > 0;
  }

  async #apply(event: ProtectionEvent): Promise<void> {
    // A reconcile must not judge a placement this worker is still running by a read that may predate it.
    const stepped = event.type === 'openAlgoOrders' && this.#placements.size > 0 ? { ...event, inFlight: [...this.#placements.keys()] } : event;
    const { state, effects } = step(this.#state, stepped, this.config);
    this.#state = state;
    this.ports.save(persisted(state));
    // Awaited only when a new block of ids must be stored first: each await lets every microtask queued before it
    // (the rest of the same stream message's handling) run before the stop goes out.
    const reserving = this.#reserve(state.counters);
    if (reserving !== null) await reserving;
    // What stops a loss goes first; trailing tiers and cancels after this task, so that their work on the worker's
    // thread (ids, journal entries, signatures: each order's chain of awaits interleaves with the others') does not
    // delay the stop (bench, three A/B rounds: fill → stop 4.88/3.70/3.87 ms before, 3.10/3.34/2.88 ms after).
    const now: Effect[] = [];
    const later: Effect[] = [];
    for (const effect of effects) {
      if (effect.type === 'cancelAlgo') {
        // A reconcile read sent after a cancel was decided, but answered before it landed, still lists the order,
        // and the engine cancels it again: that second cancel could only be refused (-2011) and looked up. The
        // first one's outcome is on its way and decides. The soak sent 2 to 4 cancels for one order in 220 of 1,134
        // cases. Counted from the decision, since the cancel itself goes after this task.
        if (this.#cancelling.has(effect.clientAlgoId)) continue;
        this.#cancelling.add(effect.clientAlgoId);
        this.ports.trace?.(`cancel ${effect.clientAlgoId} after ${event.type === 'position' ? `position ${event.symbol} ${event.amount}` : event.type}`);
      }
      (goesAtOnce(effect) ? now : later).push(effect);
    }
    for (const effect of now) this.#run(effect);
    if (later.length > 0) {
      this.#deferred += 1;
      this.#after(0, () => {
        this.#deferred -= 1;
        for (const e of later) this.#run(e);
      });
    }
    this.ports.changed();
  }

  #after(ms: number, fn: () => void): void {
    if (this.ports.after !== undefined) this.ports.after(ms, fn);
    else setTimeout(fn, ms);
  }

  /**
   * Stores a new block for every counter past its reservation, before the step's effects use the new ids. A failed
   * write does not hold the effects back: a stop sent now protects the position, whereas the reuse it risks needs a
   * worker restart first, and the restarted worker's reconcile still moves past the ids resting on the exchange.
   */
  #reserve(counters: Readonly<Record<string, number>>): Promise<void> | null {
    let grown = false;
    for (const [key, n] of Object.entries(counters)) {
      if (n <= (this.#reserved[key] ?? 0)) continue;
      this.#reserved[key] = n + ID_BLOCK;
      grown = true;
    }
    if (!grown) return null;
    return this.ports.reserveIds({ ...this.#reserved }).catch((e: unknown) => {
      this.ports.notify('warn', `Protection could not store its order-id reservation (${e instanceof Error ? e.message : String(e)}); protective orders go on.`);
    });
  }

  #run(effect: Effect): void {
    if (effect.type === 'notify') {
      this.ports.notify(effect.level, effect.text);
      return;
    }
    this.#inFlight += 1;
    const placing = effect.type === 'placeAlgo' ? effect.params.clientAlgoId : null;
    if (placing !== null) this.#placements.set(placing, (this.#placements.get(placing) ?? 0) + 1);
    const stopRun = effect.type === 'placeAlgo' && effect.params.type === 'STOP_MARKET' ? this.#watchStop(effect.params.clientAlgoId) : null;
    const outcome =
      effect.type === 'placeAlgo'
        ? this.ports.placeAlgo(effect.params)
        : effect.type === 'cancelAlgo'
          ? this.ports.cancelAlgo({ symbol: effect.symbol, clientAlgoId: effect.clientAlgoId, ...(effect.algoId === undefined ? {} : { algoId: effect.algoId }) })
          : this.ports.closeMarket(effect.params);
    // A close is retried under a new id each time: its failures are counted per position.
    const failureKey = effect.type === 'closeMarket' ? `close:${effect.posKey}` : effect.type === 'placeAlgo' ? effect.params.clientAlgoId : effect.clientAlgoId;
    // Ports resolve every outcome as an event; a rejection here is a bug, reported rather than swallowed.
    void outcome
      .then((event) => this.#paced(failureKey, effect.type, event))
      .then(
        (event) => {
          // Settled before the outcome is stepped: a retry the step decides on must go out.
          if (effect.type === 'cancelAlgo') this.#cancelling.delete(effect.clientAlgoId);
          return this.feed(event);
        },
        (e: unknown) => this.ports.notify('error', `Protective order step failed: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => {
        this.#inFlight -= 1;
        if (effect.type === 'cancelAlgo') this.#cancelling.delete(effect.clientAlgoId);
        // Once its outcome has been stepped (feed resolves after the step), a read may judge it again.
        if (placing !== null) {
          const left = (this.#placements.get(placing) ?? 1) - 1;
          if (left > 0) this.#placements.set(placing, left);
          else this.#placements.delete(placing);
          if (this.#stopRuns.get(placing) === stopRun) this.#stopRuns.delete(placing);
        }
      });
  }

  /**
   * Feeds `stopOverdue` if this stop placement (this run of it: a retry under the same id has its own deadline) is
   * still without an outcome at {@link STOP_DEADLINE_MS}, unless the client is holding placements (a ban, a 429 on
   * orders, §6), when no other stop could go either. Returns the run.
   */
  #watchStop(clientAlgoId: string): number {
    const run = ++this.#stopRunSeq;
    this.#stopRuns.set(clientAlgoId, run);
    this.#after(STOP_DEADLINE_MS, () => {
      if (this.#stopRuns.get(clientAlgoId) !== run || (this.ports.holdMs?.('placeAlgo') ?? 0) > 0) return;
      void this.feed({ type: 'stopOverdue', clientAlgoId, atMs: this.ports.now() });
    });
    return run;
  }

  /** Resolves with an effect's outcome: at once, or after a wait when it failed for a passing reason. */
  #paced(key: string, kind: Exclude<Effect['type'], 'notify'>, event: ProtectionEvent): Promise<ProtectionEvent> | ProtectionEvent {
    const code = event.type === 'algoRejected' || event.type === 'cancelFailed' ? event.code : event.type === 'closeResult' && !event.ok ? event.code : null;
    if (code === null || !RETRY_SAME_ID.has(code)) {
      this.#failures.delete(key);
      return event;
    }
    const n = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, n);
    const holdMs = this.ports.holdMs?.(kind) ?? 0;
    const delayMs = holdMs > 0 ? holdMs + HOLD_END_MARGIN_MS : Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (n - 1));
    return new Promise((resolve) => this.#after(delayMs, () => resolve({ ...event, atMs: this.ports.now() })));
  }
}
