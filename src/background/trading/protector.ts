/**
 * Runs the protection engine (src/core/asl.ts) against the exchange: feeds it events one at a time, saves its
 * state after every step and before any effect runs (so a worker restart resumes from what was decided), executes
 * the effects, and feeds their outcomes back as events. Effects run concurrently; steps never do.
 */
import {
  DEFAULT_PROTECTION_CONFIG,
  ProtectionStateSchema,
  emptyProtectionState,
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
  save(state: ProtectionState): Promise<void>;
  /** Resolves with `algoAccepted` or `algoRejected` (code 0 for a transport failure). */
  placeAlgo(params: AlgoOrderParams): Promise<ProtectionEvent>;
  /** Resolves with `algoCanceled` or `cancelFailed`. */
  cancelAlgo(order: { symbol: string; clientAlgoId: string; algoId?: string }): Promise<ProtectionEvent>;
  /** Resolves with `closeResult`. */
  closeMarket(params: CloseOrderParams): Promise<ProtectionEvent>;
  notify(level: 'info' | 'warn' | 'error', text: string): void;
  /** After every step, for the UI. */
  changed(views: ProtectionView[]): void;
}

export class Protector {
  #state: ProtectionState = emptyProtectionState();
  #queue: Promise<void> = Promise.resolve();
  #inFlight = 0;

  constructor(
    private readonly ports: ProtectorPorts,
    private readonly config: ProtectionConfig = DEFAULT_PROTECTION_CONFIG,
  ) {}

  /** Loads the persisted state; an unreadable one starts empty (the next reconcile rebuilds it from the exchange). */
  async init(): Promise<void> {
    const parsed = ProtectionStateSchema.safeParse(await this.ports.load());
    this.#state = parsed.success ? parsed.data : emptyProtectionState();
  }

  /** Queues an event; resolves when its step has been applied and saved (not when its effects finish). */
  feed(event: ProtectionEvent): Promise<void> {
    const run = this.#queue.then(() => this.#apply(event));
    this.#queue = run.catch((e: unknown) => this.ports.notify('error', `Protection engine error: ${e instanceof Error ? e.message : String(e)}`));
    return run;
  }

  views(): ProtectionView[] {
    return selectProtections(this.#state, this.config);
  }

  /** True while an effect is on the wire: the caller keeps the worker busy until it settles. */
  get busy(): boolean {
    return this.#inFlight > 0;
  }

  /** Whether any position or protective order is being looked after (the worker must stay alive). */
  get guarding(): boolean {
    return Object.values(this.#state.positions).some((p) => p.size !== '0' || p.orders.length > 0);
  }

  async #apply(event: ProtectionEvent): Promise<void> {
    const { state, effects } = step(this.#state, event, this.config);
    this.#state = state;
    await this.ports.save(state);
    this.ports.changed(this.views());
    for (const effect of effects) this.#run(effect);
  }

  #run(effect: Effect): void {
    if (effect.type === 'notify') {
      this.ports.notify(effect.level, effect.text);
      return;
    }
    this.#inFlight += 1;
    const outcome =
      effect.type === 'placeAlgo'
        ? this.ports.placeAlgo(effect.params)
        : effect.type === 'cancelAlgo'
          ? this.ports.cancelAlgo({ symbol: effect.symbol, clientAlgoId: effect.clientAlgoId, ...(effect.algoId === undefined ? {} : { algoId: effect.algoId }) })
          : this.ports.closeMarket(effect.params);
    // Ports resolve every outcome as an event; a rejection here is a bug, reported rather than swallowed.
    void outcome
      .then(
        (event) => this.feed(event),
        (e: unknown) => this.ports.notify('error', `Protective order step failed: ${e instanceof Error ? e.message : String(e)}`),
      )
      .finally(() => {
        this.#inFlight -= 1;
      });
  }
}
