/**
 * The fault soak: the real built extension in headless Chromium trades against the local exchange in-process while
 * the exchange injects faults and the harness stops the service worker at random moments. Orders go in as the
 * panel sends them (`chrome.runtime.sendMessage` from the panel page). At the end the exchange's ledger and Strike's
 * journals are audited (./invariants.ts). Every choice (sides, scenarios, faults, stop moments) comes from a PRNG
 * seeded by `seed`; the interleaving with the browser's own timing is real and is not.
 */
import { mulberry32 } from '../../sim/engine/clock.ts';
import { writeFileSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';
import { z } from 'zod';
import { JournalEntrySchema as OrderJournalEntrySchema, type JournalEntry as OrderJournalEntry } from '../../src/core/journal.ts';
import { JournalEntrySchema as ActivityEntrySchema, type JournalEntry as ActivityEntry } from '../../src/shared/messages.ts';
import { JOURNAL_PREFIX } from '../../src/background/trading/worker-ports.ts';
import { roundToStep, mul, add } from '../../src/shared/decimal.ts';
import { startExchange, type FaultInput, type SimExchange } from '../../sim/server.ts';
import { launchExtension, setUpPaperAccount, type ExtensionBrowser } from '../../tests/e2e/harness.ts';
import { checkExactlyOnce, checkJournal, checkOrphans, checkOutcomes, checkReplays, checkStopGaps, exchangeHolds, type CheckResult, type FaultEvent, type OrderJournalSnapshot, type StampedEntry, type TraderAnswer } from './invariants.ts';

/** Faults the campaign can inject; the short soak picks the ones that genuinely pass. */
export const FAULT_KINDS = [
  'latency',
  'drop',
  'http5xx',
  'timeoutExecuted',
  'timeoutNotExecuted',
  'rate429',
  'ban418',
  'clockSkew',
  'wsSilence',
  'listenKeyExpire',
  'wsDrop',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How a trade ends: a close, the ASL tiers then a pullback, a stop-out, a flatten, or one tier then a close. */
export const SCENARIOS = ['close', 'tiers', 'stopOut', 'flatten', 'tierThenClose'] as const;
export type Scenario = (typeof SCENARIOS)[number];
const SCENARIO_WEIGHT: Record<Scenario, number> = { close: 35, tiers: 25, stopOut: 15, flatten: 10, tierThenClose: 15 };

export interface SoakOptions {
  readonly seed: number;
  /** Trades to run (an entry, then tier moves, a close, a flatten or a stop-out). */
  readonly trades: number;
  /** Hard bound on the trading phase; the campaign stops early (and says so) when it is reached. */
  readonly minutes: number;
  readonly faults: readonly FaultKind[];
  readonly workerStops: boolean;
  /** Mean wall time between two injected faults / two worker stops. */
  readonly faultEveryMs: number;
  readonly stopEveryMs: number;
  /** How long a protective order may stay resident after its position closed. */
  readonly orphanBoundMs: number;
  /**
   * When set, the stamped ledger, the faults, the trader's answers, both journals and the worker's console are
   * written there as JSON (post-mortems).
   */
  readonly dumpPath?: string;
  /** Longest injected latency spike (ms); spikes are drawn from 100 ms up to this. */
  readonly maxLatencyMs: number;
  /** Symbols traded at the same time (1-5), each by its own sequential lane. */
  readonly lanes: number;
  /** How trades end; the campaign picks among these with fixed weights. */
  readonly scenarios: readonly Scenario[];
  readonly log: (line: string) => void;
}

export const DEFAULT_SOAK: Omit<SoakOptions, 'log'> = {
  seed: 1,
  trades: 1000,
  minutes: 25,
  faults: FAULT_KINDS,
  workerStops: true,
  faultEveryMs: 2_500,
  stopEveryMs: 8_000,
  orphanBoundMs: 10_000,
  scenarios: SCENARIOS,
  lanes: 5,
  maxLatencyMs: 900,
};

export interface SoakReport {
  readonly seed: number;
  readonly tradesRun: number;
  readonly tradesWanted: number;
  readonly durationMs: number;
  readonly answers: Record<string, number>;
  readonly scenarios: Record<string, number>;
  /** What the exchange counted (`GET /control/faults` → injected), plus the harness's worker stops. */
  readonly faultsInjected: Record<string, number>;
  readonly checks: CheckResult[];
  /** Problems of the run itself (a lane that could not get flat, a phase that hit its time bound). */
  readonly harnessProblems: string[];
  /** Distinct messages of INTERNAL and malformed answers (a handler threw or answered off-contract): always bugs. */
  readonly internalErrors: Record<string, number>;
  readonly ok: boolean;
}

/** The same seeded generator the exchange uses for its price walk. */
export const prng = mulberry32;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const LANES = [
  { symbol: 'BTCUSDT', base: '50000', tick: '0.1' },
  { symbol: 'ETHUSDT', base: '3000', tick: '0.01' },
  { symbol: 'SOLUSDT', base: '150', tick: '0.01' },
  { symbol: 'XRPUSDT', base: '2.2', tick: '0.0001' },
  { symbol: '1000PEPEUSDT', base: '0.012', tick: '0.0000001' },
] as const;
type Lane = (typeof LANES)[number];

/** The panel's ticket for the whole run: 200 USDT notional at market, trader stop 2 % (the safety stop is 10 %). */
const TICKET = { symbol: 'BTCUSDT', sizeMode: 'notional', size: '200', stopPercent: '2', leverage: 10, orderType: 'MARKET', postOnly: false, reduceOnly: false } as const;

const AccountSchema = z.object({
  accountId: z.string(),
  positions: z.array(z.object({ symbol: z.string(), positionAmt: z.string() })),
  openAlgoOrders: z.array(z.object({ clientAlgoId: z.string(), symbol: z.string() })),
});
const StateSchema = z.object({ accounts: z.array(AccountSchema) });
const AnswerSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);
const SendOutcome = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('answer'), value: z.unknown() }),
  z.object({ kind: z.literal('lost'), message: z.string() }),
  z.object({ kind: z.literal('timeout') }),
]);
type SendOutcome = z.infer<typeof SendOutcome>;
const ServedFaultSchema = z.object({ kind: z.string(), wallMs: z.number(), method: z.string(), path: z.string(), retryAfterSec: z.number().nullable() });
const FaultsSchema = z.object({ injected: z.record(z.string(), z.number()), served: z.array(ServedFaultSchema) });

/** Samples one fault of `kind` (seeded). Latencies and bans stay short so a minute-long run still trades. */
export function faultSpec(kind: FaultKind, rand: () => number, maxLatencyMs: number): FaultInput {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const orderPaths = ['/fapi/v1/order', '/fapi/v1/algoOrder', '/fapi/v1/', '/fapi/v2/'];
  const match = { pathPrefix: orderPaths[int(0, orderPaths.length - 1)] ?? '/fapi/v1/' };
  switch (kind) {
    case 'latency':
      return { kind: 'latency', ms: int(100, Math.max(100, maxLatencyMs)), count: int(1, 4), match };
    case 'drop':
      return { kind: 'drop', count: int(1, 2), match };
    case 'http5xx': {
      if (rand() >= 0.5) return { kind: 'http5xx', status: 500, text: 'internal', executed: false, match };
      // Only "Unknown error" may have executed; Binance documents "Service Unavailable." as a certain failure
      // (fact sheet §5), which Strike retries at once. An executed one is not a fault Binance produces.
      const text = rand() < 0.5 ? 'unknown' : 'unavailable';
      const executed = rand() < 0.5;
      return { kind: 'http5xx', status: 503, text, executed: text === 'unknown' && executed, match };
    }
    case 'timeoutExecuted':
      return { kind: 'timeout', status: rand() < 0.5 ? 408 : 503, executed: true, match: { method: 'POST', pathPrefix: rand() < 0.5 ? '/fapi/v1/order' : '/fapi/v1/algoOrder' } };
    case 'timeoutNotExecuted':
      return { kind: 'timeout', status: rand() < 0.5 ? 408 : 503, executed: false, match: { method: 'POST', pathPrefix: rand() < 0.5 ? '/fapi/v1/order' : '/fapi/v1/algoOrder' } };
    case 'rate429':
      return { kind: 'rate429', retryAfterSec: int(1, 2), match };
    case 'ban418':
      return { kind: 'ban418', retryAfterSec: 1 };
    case 'clockSkew':
      return { kind: 'clockSkew', offsetMs: (rand() < 0.5 ? -1 : 1) * int(300, 2500), durationMs: int(2_000, 6_000) };
    case 'wsSilence':
      return { kind: 'wsSilence', pathPrefix: ['/market', '/private', '/ws-fapi'][int(0, 2)] ?? '/market', durationMs: int(1_500, 5_000) };
    case 'listenKeyExpire':
      return { kind: 'listenKeyExpire', accountId: 'demo' };
    case 'wsDrop':
      return { kind: 'wsDrop', pathPrefix: ['/market', '/private', '/ws-fapi', '/'][int(0, 3)] ?? '/' };
  }
}

/** Runs the campaign and audits it. Never throws for an invariant violation: the report carries them. */
export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const rand = prng(opts.seed);
  const exchange = await startExchange({ port: 0, autoMarket: false, seed: opts.seed });
  let browser: ExtensionBrowser | null = null;
  const stamped: StampedEntry[] = [];
  const stamp = (): void => {
    const { entries } = exchange.control.ledger(stamped.length, 100_000);
    const now = Date.now();
    for (const entry of entries) stamped.push({ entry, wallMs: now });
  };
  // Stamp ledger entries with wall time as they appear: engine events come right after their ledger entry.
  const unsubscribe = exchange.control.subscribe(() => stamp());
  const stamper = setInterval(stamp, 20);
  try {
    // The rate limits are the exchange's business; the soak injects 429/418 itself rather than hit real limits.
    exchange.control.setLimits({ weight1m: 1_000_000, orders10s: 100_000, orders1m: 1_000_000 });
    for (const lane of LANES) exchange.control.setPrice(lane.symbol, lane.base);
    browser = await launchExtension();
    // The worker's console (Strike's logger, engine errors), kept for post-mortems in the dump.
    const workerConsole: string[] = [];
    browser.worker.on('console', (m) => void workerConsole.push(`${Date.now()} ${m.type()} ${m.text()}`));
    const page = await setUpPaperAccount(browser, exchange);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    const run = new Campaign(opts, rand, exchange, page, cdp, stamp, () => stamped);
    const report = await run.execute();
    if (opts.dumpPath !== undefined) {
      const orderJournal = await run.readOrderJournal().catch(() => []);
      const activity = await run.readActivityJournal().catch(() => []);
      // Order-journal reads as deltas (changed entries, removed intent ids): whole reads would be ~100 MB.
      const reads: { atMs: number; changed: OrderJournalEntry[]; removed: string[] }[] = [];
      let previous = new Map<string, OrderJournalEntry>();
      for (const read of run.orderSnapshots) {
        const now = new Map(read.entries.map((e) => [e.intentId, e]));
        const changed = read.entries.filter((e) => JSON.stringify(previous.get(e.intentId)) !== JSON.stringify(e));
        reads.push({ atMs: read.atMs, changed, removed: [...previous.keys()].filter((id) => !now.has(id)) });
        previous = now;
      }
      writeFileSync(opts.dumpPath, JSON.stringify({ ledger: stamped, faults: run.faults, served: run.served, answers: run.answers, orderJournal, orderJournalReads: reads, orderJournalReadMs: run.orderJournalReadMs, activity, workerConsole }));
    }
    const durationMs = Date.now() - started;
    return { ...report, durationMs };
  } finally {
    clearInterval(stamper);
    unsubscribe();
    await browser?.close().catch(() => undefined);
    await exchange.stop();
  }
}

class Campaign {
  readonly answers: TraderAnswer[] = [];
  readonly faults: FaultEvent[] = [];
  /** Request faults as the exchange served them, read at the audit (for the dump). */
  served: z.infer<typeof ServedFaultSchema>[] = [];
  readonly snapshots: ActivityEntry[][] = [];
  /** The order journal as read before each worker stop: the final read alone misses what the worker pruned. */
  readonly orderSnapshots: OrderJournalSnapshot[] = [];
  /** When the audit's own read of the order journal completed. */
  orderJournalReadMs = 0;
  readonly problems: string[] = [];
  readonly scenarios: Record<string, number> = {};
  readonly outcomes: Record<string, number> = {};
  #tradesStarted = 0;
  #tradesDone = 0;
  #trading = true;
  #workerStops = 0;
  readonly #deadline: number;

  constructor(
    readonly opts: SoakOptions,
    readonly rand: () => number,
    readonly exchange: SimExchange,
    readonly page: Page,
    readonly cdp: CDPSession,
    readonly stamp: () => void,
    /** The ledger stamped so far (wall times). */
    readonly stampedLedger: () => readonly StampedEntry[],
  ) {
    this.#deadline = Date.now() + opts.minutes * 60_000;
  }

  async execute(): Promise<Omit<SoakReport, 'durationMs'>> {
    const set = await this.send({ type: 'ticket.set', ticket: TICKET });
    if (set.kind !== 'answer' || !AnswerSchema.parse(set.value).ok) throw new Error(`ticket.set failed: ${JSON.stringify(set)}`);
    // Each lane trades one symbol with its own seeded generator, so the faults and stops interleave with three
    // independent position lifecycles.
    const lanes = LANES.slice(0, Math.max(1, Math.min(LANES.length, this.opts.lanes))).map((lane, i) => this.lane(lane, prng(this.opts.seed * 31 + i + 1)));
    const chaos = [this.faultLoop(prng(this.opts.seed * 97 + 5))];
    if (this.opts.workerStops) chaos.push(this.stopLoop(prng(this.opts.seed * 89 + 7)));
    await Promise.all(lanes);
    this.#trading = false;
    await Promise.all(chaos);
    if (Date.now() > this.#deadline) this.problems.push(`the trading phase hit its ${this.opts.minutes}-minute bound after ${this.#tradesDone} trades`);
    this.exchange.control.clearFaults();
    await this.settle();
    return this.audit();
  }

  // ------------------------------------------------------------------------------------------------ messaging

  /** Sends a request from the panel page, as a click would. */
  async send(message: Record<string, unknown>, timeoutMs = 20_000): Promise<SendOutcome> {
    try {
      const raw = await this.page.evaluate(
        async ({ message, timeoutMs }) => {
          const timer = new Promise<{ kind: 'timeout' }>((resolve) => setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs));
          try {
            // The router always answers a Result; an undefined answer is Chrome's when the worker is stopped before
            // it answered (the full soak saw one, 7 ms before ServiceWorker.stopAllWorkers returned): no answer, as
            // when the promise rejects.
            const answered = chrome.runtime.sendMessage(message).then((value: unknown) =>
              value === undefined ? { kind: 'lost' as const, message: 'no answer: the worker stopped first' } : { kind: 'answer' as const, value },
            );
            return await Promise.race([answered, timer]);
          } catch (e) {
            return { kind: 'lost' as const, message: String(e) };
          }
        },
        { message, timeoutMs },
      );
      return SendOutcome.parse(raw);
    } catch (e) {
      return { kind: 'lost', message: `page: ${String(e)}` };
    }
  }

  record(request: TraderAnswer['request'], out: SendOutcome): TraderAnswer {
    let answer: TraderAnswer;
    if (out.kind !== 'answer') answer = { request, outcome: out.kind, ...(out.kind === 'lost' ? { message: out.message.slice(0, 160) } : {}), atMs: Date.now() };
    else {
      const parsed = AnswerSchema.safeParse(out.value);
      if (!parsed.success) answer = { request, outcome: 'error', code: 'MALFORMED_ANSWER', message: JSON.stringify(out.value)?.slice(0, 160) ?? 'undefined', atMs: Date.now() };
      else if (parsed.data.ok) {
        const cid = z.object({ clientOrderId: z.string() }).safeParse(parsed.data.value);
        answer = { request, outcome: 'ok', ...(cid.success ? { clientOrderId: cid.data.clientOrderId } : {}), atMs: Date.now() };
      } else answer = { request, outcome: 'error', code: parsed.data.error.code, message: parsed.data.error.message.slice(0, 160), atMs: Date.now() };
    }
    this.answers.push(answer);
    // Flattens and closes are listed next to the faults, so a violation names what the trader was doing too.
    this.faults.push({ kind: `trader ${request}`, wallMs: answer.atMs, detail: `${answer.outcome}${answer.code === undefined ? '' : ` ${answer.code}`}` });
    const key = `${request} ${answer.outcome}${answer.code === undefined ? '' : ` ${answer.code}`}`;
    this.outcomes[key] = (this.outcomes[key] ?? 0) + 1;
    return answer;
  }

  // ------------------------------------------------------------------------------------------------ exchange view

  demo(): z.infer<typeof AccountSchema> {
    const acc = StateSchema.parse(this.exchange.control.state()).accounts.find((a) => a.accountId === 'demo');
    if (acc === undefined) throw new Error('no demo account');
    return acc;
  }

  positionAmt(symbol: string): number {
    return Number(this.demo().positions.find((p) => p.symbol === symbol)?.positionAmt ?? '0');
  }

  stopResident(symbol: string): boolean {
    return this.demo().openAlgoOrders.some((a) => a.symbol === symbol && a.clientAlgoId.startsWith('sl-'));
  }

  async until(cond: () => boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (cond()) return true;
      await sleep(stepMs);
    }
    return cond();
  }

  // ------------------------------------------------------------------------------------------------ lanes

  async lane(lane: Lane, rand: () => number): Promise<void> {
    while (this.#tradesStarted < this.opts.trades && Date.now() < this.#deadline) {
      this.#tradesStarted += 1;
      await this.trade(lane, rand);
      this.#tradesDone += 1;
      if (this.#tradesDone % 100 === 0) this.opts.log(`  ${this.#tradesDone} trades, ${Math.round((Date.now() - (this.#deadline - this.opts.minutes * 60_000)) / 1000)} s`);
    }
  }

  price(lane: Lane, side: 'BUY' | 'SELL', move: string): string {
    // `move` is the favourable move as a fraction of the base: up for a long, down for a short.
    const factor = side === 'BUY' ? add('1', move) : add('1', mul('-1', move));
    return roundToStep(mul(lane.base, factor), lane.tick, 'half-up');
  }

  async trade(lane: Lane, rand: () => number): Promise<void> {
    const setPrice = (move: string): void => void this.exchange.control.setPrice(lane.symbol, this.price(lane, side, move));
    const side = rand() < 0.5 ? 'BUY' : 'SELL';
    this.exchange.control.setPrice(lane.symbol, lane.base);
    const out = await this.send({ type: 'order.submit', side, source: rand() < 0.5 ? 'panel' : 'hotkey', inputAtMs: Date.now(), symbol: lane.symbol });
    this.record('order.submit', out);
    const scenario = this.pickScenario(rand());
    const opened = await this.until(() => this.positionAmt(lane.symbol) !== 0, 3_000);
    if (opened) {
      this.scenarios[scenario] = (this.scenarios[scenario] ?? 0) + 1;
      // Pace like a trader: the tier moves start once the stop is on the exchange (bounded; a fault may delay it).
      await this.until(() => this.stopResident(lane.symbol), 1_500);
      switch (scenario) {
        case 'close':
          await sleep(Math.floor(rand() * 300));
          this.record('position.close', await this.send({ type: 'position.close', symbol: lane.symbol, positionSide: 'BOTH' }));
          break;
        case 'tiers':
          // +1.2 %, +2.3 %, +4.6 % reach tiers 1-3; a pullback to +3 % is past tier 3's 1 % trail: the exchange closes.
          for (const move of ['0.012', '0.023', '0.046']) {
            setPrice(move);
            await sleep(50 + Math.floor(rand() * 200));
          }
          setPrice('0.03');
          break;
        case 'stopOut':
          // Past the trader's 2 % stop.
          setPrice('-0.03');
          break;
        case 'flatten':
          this.record('flatten', await this.send({ type: 'flatten', source: rand() < 0.5 ? 'panel' : 'hotkey', inputAtMs: Date.now() }));
          break;
        case 'tierThenClose':
          setPrice('0.012');
          await sleep(50 + Math.floor(rand() * 200));
          this.record('position.close', await this.send({ type: 'position.close', symbol: lane.symbol, positionSide: 'BOTH' }));
          break;
      }
    }
    await this.ensureFlat(lane);
  }

  pickScenario(roll: number): Scenario {
    const total = this.opts.scenarios.reduce((sum, sc) => sum + SCENARIO_WEIGHT[sc], 0);
    let acc = 0;
    for (const sc of this.opts.scenarios) {
      acc += SCENARIO_WEIGHT[sc] / total;
      if (roll < acc) return sc;
    }
    return this.opts.scenarios[this.opts.scenarios.length - 1] ?? 'close';
  }

  /** Waits for the lane's position to be gone; closes it (then flattens) when it lingers. Bounded. */
  async ensureFlat(lane: Lane): Promise<void> {
    for (let round = 0; round < 6; round++) {
      if (await this.until(() => this.positionAmt(lane.symbol) === 0, 2_000)) return;
      const request = round % 2 === 0 ? 'position.close' : 'flatten';
      const msg = request === 'flatten' ? { type: 'flatten', source: 'panel', inputAtMs: Date.now() } : { type: 'position.close', symbol: lane.symbol, positionSide: 'BOTH' };
      this.record(request, await this.send(msg));
    }
    if (this.positionAmt(lane.symbol) !== 0) this.problems.push(`${lane.symbol}: could not get flat after 6 close/flatten rounds`);
  }

  // ------------------------------------------------------------------------------------------------ chaos

  async faultLoop(rand: () => number): Promise<void> {
    if (this.opts.faults.length === 0) return;
    while (this.#trading) {
      await sleep(Math.floor(this.opts.faultEveryMs * (0.5 + rand())));
      if (!this.#trading) return;
      const kind = this.opts.faults[Math.floor(rand() * this.opts.faults.length)] ?? 'latency';
      const spec = faultSpec(kind, rand, this.opts.maxLatencyMs);
      this.exchange.control.addFault(spec);
      // Strike places orders over the WebSocket API while it is up, so a REST order timeout waits for a request
      // that never comes (the short campaign injects none). With WS drops in the campaign, a timeout comes with a
      // drop of the WS API: the next orders go over REST, into the fault and, for a 408, into Chromium's own
      // re-send of the request, which the replay guard exists for.
      if ((kind === 'timeoutExecuted' || kind === 'timeoutNotExecuted') && this.opts.faults.includes('wsDrop')) {
        this.exchange.control.addFault({ kind: 'wsDrop', pathPrefix: '/ws-fapi' });
      }
      this.faults.push({ kind, wallMs: Date.now(), detail: JSON.stringify(spec).slice(0, 120) });
    }
  }

  async stopLoop(rand: () => number): Promise<void> {
    while (this.#trading) {
      await sleep(Math.floor(this.opts.stopEveryMs * (0.5 + rand())));
      if (!this.#trading) return;
      // What the journal holds right before the stop must all be there at the end.
      this.snapshots.push(await this.readActivityJournal());
      const entries = await this.readOrderJournal();
      // Stamped once the read is done: an entry it lacks was pruned by then.
      this.orderSnapshots.push({ atMs: Date.now(), entries });
      await this.cdp.send('ServiceWorker.stopAllWorkers');
      this.#workerStops += 1;
      this.faults.push({ kind: 'workerStop', wallMs: Date.now(), detail: `#${this.#workerStops}` });
    }
  }

  // ------------------------------------------------------------------------------------------------ end

  /** No faults now: every position closed, every protective order gone, every journal entry final (bounded). */
  async settle(): Promise<void> {
    for (let round = 0; round < 5; round++) {
      if (await this.until(() => this.demo().positions.every((p) => Number(p.positionAmt) === 0), 3_000)) break;
      this.record('flatten', await this.send({ type: 'flatten', source: 'panel', inputAtMs: Date.now() }));
    }
    // Orders outliving their position are Strike's to cancel: the harness only waits (the orphan check measures it).
    await this.until(() => this.demo().openAlgoOrders.length === 0, this.opts.orphanBoundMs + 2_000, 100);
    const pending = async (): Promise<number> => (await this.readOrderJournal()).filter((e) => !['acked', 'filled', 'rejected', 'canceled', 'final'].includes(e.state)).length;
    const end = Date.now() + 20_000;
    while (Date.now() < end && (await pending()) > 0) await sleep(250);
    this.stamp();
  }

  async readOrderJournal(): Promise<OrderJournalEntry[]> {
    const raw = await this.page.evaluate(
      async (prefix) => Object.entries(await chrome.storage.session.get(null)).filter(([k]) => k.startsWith(prefix)).map(([, v]) => v as unknown),
      JOURNAL_PREFIX,
    );
    return raw.map((r) => OrderJournalEntrySchema.parse(JSON.parse(z.string().parse(r))));
  }

  /** The whole trader's journal, read from its IndexedDB store by the panel page (same extension origin). */
  async readActivityJournal(): Promise<ActivityEntry[]> {
    const raw = await this.page.evaluate(
      () =>
        new Promise<unknown[]>((resolve, reject) => {
          const open = indexedDB.open('strike');
          open.onerror = () => reject(new Error('cannot open the journal database'));
          open.onsuccess = () => {
            const db = open.result;
            const req = db.transaction('journal', 'readonly').objectStore('journal').getAll();
            req.onsuccess = () => {
              db.close();
              resolve(req.result as unknown[]);
            };
            req.onerror = () => reject(new Error('cannot read the journal'));
          };
        }),
    );
    return raw.map((r) => ActivityEntrySchema.parse(r));
  }

  async audit(): Promise<Omit<SoakReport, 'durationMs'>> {
    const endMs = Date.now();
    const orderJournal = await this.readOrderJournal();
    this.orderJournalReadMs = Date.now();
    const final = await this.readActivityJournal();
    const q = await this.send({ type: 'journal.query', text: 'stk-', limit: 5000 });
    const queried = q.kind === 'answer' ? z.object({ ok: z.literal(true), value: z.array(ActivityEntrySchema) }).safeParse(q.value) : null;
    if (queried === null || !queried.success) this.problems.push(`journal.query failed: ${JSON.stringify(q).slice(0, 200)}`);
    this.stamp();
    const ledger = this.stampedLedger();
    const { injected, served } = FaultsSchema.parse(this.exchange.control.faults());
    this.served = served;
    const checks = [
      checkExactlyOnce(ledger, this.faults),
      checkReplays(ledger, this.faults, endMs),
      checkOutcomes(ledger, orderJournal, this.answers, this.orderSnapshots, this.orderJournalReadMs),
      checkStopGaps(ledger, this.faults, endMs, 1_000, exchangeHolds(served)),
      checkOrphans(ledger, this.faults, endMs, this.opts.orphanBoundMs),
      checkJournal(this.snapshots, final, queried?.success === true ? queried.data.value : [], this.answers, ledger),
    ];
    const faultsInjected = { ...injected, ...(this.opts.workerStops ? { workerStop: this.#workerStops } : {}) };
    const internalErrors: Record<string, number> = {};
    for (const a of this.answers) {
      if (a.code !== 'INTERNAL' && a.code !== 'MALFORMED_ANSWER') continue;
      const key = `${a.request} ${a.code}: ${a.message ?? ''}`;
      internalErrors[key] = (internalErrors[key] ?? 0) + 1;
    }
    return {
      seed: this.opts.seed,
      tradesRun: this.#tradesDone,
      internalErrors,
      tradesWanted: this.opts.trades,
      answers: this.outcomes,
      scenarios: this.scenarios,
      faultsInjected,
      checks,
      harnessProblems: this.problems,
      ok: checks.every((c) => c.violations.length === 0) && this.problems.length === 0 && Object.keys(internalErrors).length === 0 && this.#tradesDone >= this.opts.trades,
    };
  }

}

/** The report as printed by `npm run soak`. */
export function formatReport(r: SoakReport, maxViolations = 15): string {
  const lines: string[] = [];
  lines.push(`soak seed ${r.seed}: ${r.tradesRun}/${r.tradesWanted} trades in ${(r.durationMs / 1000).toFixed(1)} s`);
  lines.push(`scenarios: ${Object.entries(r.scenarios).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push('answers:');
  for (const [k, v] of Object.entries(r.answers).sort()) lines.push(`  ${k}: ${v}`);
  lines.push('faults injected:');
  for (const [k, v] of Object.entries(r.faultsInjected).sort()) lines.push(`  ${k}: ${v}`);
  lines.push('invariants:');
  for (const c of r.checks) {
    lines.push(`  ${c.violations.length === 0 ? 'PASS' : 'FAIL'} ${c.name}: ${c.checked} checked, ${c.violations.length} violations`);
    lines.push(`       ${Object.entries(c.stats).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    for (const v of c.violations.slice(0, maxViolations)) lines.push(`       - ${v}`);
    if (c.violations.length > maxViolations) lines.push(`       … ${c.violations.length - maxViolations} more`);
  }
  const internal = Object.entries(r.internalErrors);
  lines.push(`  ${internal.length === 0 ? 'PASS' : 'FAIL'} no INTERNAL or malformed answer: ${internal.reduce((n, [, c]) => n + c, 0)} seen`);
  for (const [msg, n] of internal.slice(0, maxViolations)) lines.push(`       - ${n}× ${msg}`);
  const problems = new Map<string, number>();
  for (const p of r.harnessProblems) problems.set(p, (problems.get(p) ?? 0) + 1);
  for (const [p, n] of problems) lines.push(`harness: ${n}× ${p}`);
  lines.push(r.ok ? 'RESULT: PASS' : 'RESULT: FAIL');
  return lines.join('\n');
}
