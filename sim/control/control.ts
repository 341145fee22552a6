/**
 * The in-process control object (also served as JSON under `/control/...`): prices and scripted paths, the
 * exchange clock, accounts and keys, faults, limits, the ledger and a state snapshot, reset.
 */
import { z } from 'zod';
import { isDecimal, normalize } from '../../src/shared/decimal.ts';
import type { SimEventListener } from '../contracts.ts';
import type { WsFaultControl } from '../ws/index.ts';
import type { EventBus } from '../engine/bus.ts';
import type { ExchangeClock } from '../engine/clock.ts';
import type { Engine } from '../engine/engine.ts';
import { parseEd25519PublicKey, randomAlnum, type KeyStore } from '../engine/keys.ts';
import type { Ledger, LedgerEntry } from '../engine/ledger.ts';
import { orderView, algoView, positionRiskView } from '../api/views.ts';
import { FaultSpec, type FaultBook, type FaultInput } from '../http/faults.ts';
import type { LimitConfig, RateLimiter } from '../http/ratelimit.ts';

/** One step of a scripted price path: wait `afterMs`, then set last (and mark, default = last). */
export interface PathStep {
  readonly price: string;
  readonly markPrice?: string;
  readonly afterMs: number;
}

export interface NewAccount {
  readonly accountId?: string;
  readonly balance?: string;
  readonly apiKey?: string;
  readonly apiSecret?: string;
}

export interface NewKey {
  readonly accountId: string;
  readonly type: 'HMAC' | 'ED25519';
  readonly apiKey?: string;
  readonly apiSecret?: string;
  /** Ed25519 public key: PEM SPKI or the raw 32 bytes in base64. */
  readonly publicKey?: string;
}

/** Thrown for bad control input; the HTTP layer answers 400 with the message. */
export class ControlError extends Error {}

export interface ControlDeps {
  readonly engine: Engine;
  readonly clock: ExchangeClock;
  readonly bus: EventBus;
  readonly ledger: Ledger;
  readonly keys: KeyStore;
  readonly limiter: RateLimiter;
  readonly faults: FaultBook;
  readonly wsFaults: () => WsFaultControl | null;
  readonly demo: { readonly apiKey: string; readonly apiSecret: string };
  readonly seed: number;
  readonly market: { paused: boolean; readonly initiallyPaused: boolean };
}

export const DEMO_ACCOUNT = 'demo';
export const DEMO_BALANCE = '10000';

export class SimControl {
  private nextAccount = 1;
  private paths = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly d: ControlDeps) {}

  private symbol(symbol: string): string {
    if (!this.d.engine.specs.has(symbol)) throw new ControlError(`unknown symbol ${symbol}`);
    return symbol;
  }

  private price(p: string, name: string): string {
    if (!isDecimal(p) || !(Number(p) > 0)) throw new ControlError(`${name} must be a positive decimal string`);
    return normalize(p);
  }

  /** Sets last and mark (mark defaults to last), then evaluates resting and conditional orders. */
  setPrice(symbol: string, price: string, markPrice?: string): { last: string; mark: string } {
    const s = this.symbol(symbol);
    this.d.engine.setPrice(s, this.price(price, 'price'), markPrice === undefined ? undefined : this.price(markPrice, 'markPrice'));
    const m = this.d.engine.market.get(s);
    return { last: m?.last ?? price, mark: m?.mark ?? price };
  }

  /**
   * Plays a path. `instant`: every step at once, moving the exchange clock by `afterMs` (tests, no sleeping);
   * otherwise steps run on wall-clock timers and the promise resolves after the last one.
   */
  playPath(symbol: string, steps: readonly PathStep[], instant = false): Promise<void> {
    const s = this.symbol(symbol);
    for (const st of steps) {
      this.price(st.price, 'price');
      if (st.markPrice !== undefined) this.price(st.markPrice, 'markPrice');
      if (!Number.isInteger(st.afterMs) || st.afterMs < 0) throw new ControlError('afterMs must be a non-negative integer');
    }
    if (instant) {
      for (const st of steps) {
        if (st.afterMs > 0) this.advanceTime(st.afterMs);
        this.setPrice(s, st.price, st.markPrice);
      }
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const run = (i: number): void => {
        const st = steps[i];
        if (!st) {
          resolve();
          return;
        }
        const t = setTimeout(() => {
          this.paths.delete(t);
          this.setPrice(s, st.price, st.markPrice);
          run(i + 1);
        }, st.afterMs);
        this.paths.add(t);
      };
      run(0);
    });
  }

  /** Current exchange time (what GET /fapi/v1/time answers). */
  serverTime(): number {
    return this.d.clock.now();
  }

  /** Moves the exchange clock forward, then runs time-based expiries (GTD, listenKeys). */
  advanceTime(ms: number): number {
    if (!Number.isInteger(ms) || ms < 0) throw new ControlError('advanceMs must be a non-negative integer');
    this.d.clock.advance(ms);
    this.d.engine.sweep();
    return this.d.clock.now();
  }

  /** Freezes (true) or releases (false) the exchange clock. */
  freezeTime(frozen: boolean): number {
    if (frozen) this.d.clock.freeze();
    else this.d.clock.unfreeze();
    return this.d.clock.now();
  }

  pause(): void {
    this.d.market.paused = true;
  }

  resume(): void {
    this.d.market.paused = false;
  }

  /** Runs `n` random-walk steps now (deterministic for a seed). */
  tick(n = 1): void {
    for (let i = 0; i < n; i++) this.d.engine.tick();
  }

  createAccount(a: NewAccount = {}): { accountId: string; apiKey: string; apiSecret: string } {
    const accountId = a.accountId ?? `acct${this.nextAccount++}`;
    if (this.d.engine.accounts.has(accountId)) throw new ControlError(`account ${accountId} exists`);
    const balance = a.balance ?? DEMO_BALANCE;
    if (!isDecimal(balance)) throw new ControlError('balance must be a decimal string');
    const apiKey = a.apiKey ?? randomAlnum(64);
    const apiSecret = a.apiSecret ?? randomAlnum(64);
    this.checkNewKey(apiKey);
    this.d.engine.createAccount(accountId, normalize(balance));
    this.d.keys.addHmac(apiKey, apiSecret, accountId);
    return { accountId, apiKey, apiSecret };
  }

  private checkNewKey(apiKey: string): void {
    if (!/^[A-Za-z0-9]{1,128}$/.test(apiKey)) throw new ControlError('apiKey must be 1-128 alphanumerics');
    if (this.d.keys.accountForKey(apiKey) !== null) throw new ControlError('apiKey already registered');
  }

  /** Registers another key for an account: an HMAC pair or an Ed25519 public key. */
  addKey(k: NewKey): { apiKey: string; type: 'HMAC' | 'ED25519'; apiSecret?: string } {
    if (!this.d.engine.accounts.has(k.accountId)) throw new ControlError(`unknown account ${k.accountId}`);
    const apiKey = k.apiKey ?? randomAlnum(64);
    this.checkNewKey(apiKey);
    if (k.type === 'HMAC') {
      const apiSecret = k.apiSecret ?? randomAlnum(64);
      this.d.keys.addHmac(apiKey, apiSecret, k.accountId);
      return { apiKey, type: 'HMAC', apiSecret };
    }
    const pub = k.publicKey === undefined ? null : parseEd25519PublicKey(k.publicKey);
    if (!pub) throw new ControlError('publicKey must be an Ed25519 public key (PEM SPKI or raw base64)');
    this.d.keys.addEd25519(apiKey, pub, k.accountId);
    return { apiKey, type: 'ED25519' };
  }

  setBalance(accountId: string, balance: string): void {
    const acc = this.d.engine.accounts.get(accountId);
    if (!acc) throw new ControlError(`unknown account ${accountId}`);
    if (!isDecimal(balance)) throw new ControlError('balance must be a decimal string');
    acc.wallet = normalize(balance);
  }

  /** Applies a fault: request faults are queued, the others act now. Returns the rule id for request faults. */
  addFault(input: FaultInput): { id: number | null } {
    const parsed = FaultSpec.safeParse(input);
    if (!parsed.success) throw new ControlError(z.prettifyError(parsed.error));
    const f = parsed.data;
    switch (f.kind) {
      case 'latency':
      case 'drop':
      case 'http5xx':
      case 'timeout':
      case 'rate429':
      case 'ban418':
        return { id: this.d.faults.add(f, Date.now()) };
      case 'clockSkew':
        this.d.clock.skew(f.offsetMs, Date.now() + f.durationMs);
        this.d.faults.count(f.kind);
        return { id: null };
      case 'wsDrop': {
        const ws = this.d.wsFaults();
        ws?.dropConnections((path) => path.startsWith(f.pathPrefix));
        this.d.faults.count(f.kind);
        return { id: null };
      }
      case 'wsSilence':
        this.d.wsFaults()?.silence(f.pathPrefix, this.d.clock.now() + f.durationMs, f.lostRequests);
        this.d.faults.count(f.kind);
        return { id: null };
      case 'listenKeyExpire':
        this.d.engine.expireListenKeysNow(f.accountId ?? null);
        this.d.faults.count(f.kind);
        return { id: null };
    }
  }

  /** Removes queued request faults and ends a clock skew (counts are kept). */
  clearFaults(): void {
    this.d.faults.clear();
    this.d.clock.skew(0, 0);
  }

  faults(): ReturnType<FaultBook['list']> {
    return this.d.faults.list(Date.now());
  }

  setLimits(l: Partial<LimitConfig>): LimitConfig {
    this.d.limiter.config = { ...this.d.limiter.config, ...l };
    return this.d.limiter.config;
  }

  ledger(since = 0, limit = 10_000): { entries: readonly LedgerEntry[]; lastSeq: number } {
    return { entries: this.d.ledger.since(since, limit), lastSeq: this.d.ledger.lastSeq };
  }

  /** Accounts with balances, non-zero positions, open orders and open algo orders. */
  state(): Record<string, unknown> {
    const e = this.d.engine;
    return {
      serverTime: this.d.clock.now(),
      paused: this.d.market.paused,
      markets: [...e.market.bySymbol.values()].map((m) => ({ symbol: m.spec.symbol, last: m.last, mark: m.mark })),
      accounts: [...e.accounts.values()].map((acc) => ({
        accountId: acc.id,
        walletBalance: acc.wallet,
        dualSidePosition: acc.dualSide,
        positions: positionRiskView(e, acc, null, true),
        openOrders: [...acc.openOrders.values()].map((o) => orderView(o, true)),
        openAlgoOrders: [...acc.openAlgos.values()].map((a) => algoView(a, e, true)),
      })),
    };
  }

  /** Back to the start: prices at the seed, only the demo account (same credentials), no faults, default limits. */
  reset(): void {
    for (const t of this.paths) clearTimeout(t);
    this.paths.clear();
    this.d.engine.reset(this.d.seed);
    this.d.keys.clear();
    this.d.ledger.clear();
    this.d.limiter.reset();
    this.d.faults.clear();
    this.d.faults.resetCounts();
    this.d.clock.reset();
    this.nextAccount = 1;
    this.d.market.paused = this.d.market.initiallyPaused;
    this.createAccount({ accountId: DEMO_ACCOUNT, balance: DEMO_BALANCE, apiKey: this.d.demo.apiKey, apiSecret: this.d.demo.apiSecret });
  }

  expireListenKeys(accountId: string | null): number {
    return this.d.engine.expireListenKeysNow(accountId);
  }

  /** Receives every engine event (the same stream the WebSocket layer gets); returns the unsubscribe function. */
  subscribe(listener: SimEventListener): () => void {
    return this.d.bus.subscribe(listener);
  }

  /** Stops pending path timers (server shutdown). */
  dispose(): void {
    for (const t of this.paths) clearTimeout(t);
    this.paths.clear();
  }
}
