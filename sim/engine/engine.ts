/**
 * The matching engine and account keeper: accounts, LIMIT/MARKET orders against the synthetic book, resting-order
 * fills as the market moves, positions with entry averaging and realized PnL, fees, conditional (algo) orders and
 * their triggers, listenKeys. It records every change in the ledger and emits Binance-shaped events on the bus.
 */
import type { BinanceError } from '../contracts.ts';
import { abs, add, cmp, div, gt, gte, isNegative, isZero, lt, lte, min, mul, neg, roundToStep, sub } from '../../src/shared/decimal.ts';
import type { EventBus } from './bus.ts';
import { mulberry32, type ExchangeClock } from './clock.ts';
import { E, errRes, okRes, type Res } from './errors.ts';
import { checkNotional, checkPercentPrice, checkPrice, checkQty } from './filters.ts';
import { randomAlnum } from './keys.ts';
import type { Ledger } from './ledger.ts';
import { accountFigures, configOf, crossWallet, isReducing, openingQty, positionFigures } from './margin.ts';
import { Market, type SymbolMarket } from './market.ts';
import { algoUpdate, avgPrice, orderTradeUpdate, tradeLite, type FillInfo } from './payloads.ts';
import { miniTickerEvent, tickerEvent } from './stats24h.ts';
import type { SymbolSpec } from './symbols.ts';
import type {
  Account,
  Algo,
  AlgoType,
  ExecType,
  NewAlgoInput,
  NewOrderInput,
  Order,
  OrderRef,
  Position,
  PositionSide,
  Side,
} from './types.ts';

/** Commission rates (GET /fapi/v1/commissionRate): maker 0.02 %, taker 0.05 %. */
export const FEES = { maker: '0.0002', taker: '0.0005' } as const;
/** MAX_NUM_ORDERS filter: 200 per symbol, counting algo and normal orders (fact sheet §3.1). */
export const MAX_OPEN_PER_SYMBOL = 200;
/** "The condtional order limits is 200 across all symbols" (fact sheet §0, D-CL 2025-12-29). */
export const MAX_OPEN_ALGOS = 200;
/** A listenKey lives 60 minutes; POST or PUT extends it by 60 minutes (fact sheet §8). */
export const LISTEN_KEY_TTL_MS = 60 * 60 * 1000;
/** Client order id rule (fact sheet §4.7). */
export const CLIENT_ID_RE = /^[.A-Z:/a-z0-9_-]{1,36}$/;
/** GTD bounds (fact sheet §4.2): more than 600 s ahead and below 253402300799000. */
const GTD_MIN_AHEAD_MS = 600_000;
const GTD_MAX = 253402300799000;
/** Update speed of `<symbol>@ticker` and `@miniTicker` (fact sheet §7: ticker 2000 ms, miniTicker 2 s). */
const TICKER_PUSH_MS = 2_000;
const FINAL = new Set(['FILLED', 'CANCELED', 'EXPIRED', 'REJECTED']);

/** Expiry reasons `er` (fact sheet §8). */
const ER = { none: 0, ioc: 2, reduceOnly: 4, marketRemainder: 9 } as const;

interface ListenKeyEntry {
  readonly accountId: string;
  expiresAt: number;
}

/** Result of accepting an order: `ack` is the order as first accepted (newOrderRespType=ACK, fact sheet §4.10). */
export interface Placed {
  readonly ack: Order;
  readonly order: Order;
}

export interface EngineDeps {
  readonly specs: readonly SymbolSpec[];
  readonly seed: number;
  readonly clock: ExchangeClock;
  readonly bus: EventBus;
  readonly ledger: Ledger;
}

export class Engine {
  market: Market;
  readonly specs: ReadonlyMap<string, SymbolSpec>;
  readonly accounts = new Map<string, Account>();
  private openBySymbol = new Map<string, Map<number, Order>>();
  private algosBySymbol = new Map<string, Map<number, Algo>>();
  private childToAlgo = new Map<number, Algo>();
  private listenKeys = new Map<string, ListenKeyEntry>();
  private listenKeyOf = new Map<string, string>();
  private lastTop = new Map<string, string>();
  private nextOrderId = 8_389_765_000_001;
  private nextAlgoId = 1_000_000_033_225_001;
  private nextTradeId = 5_120_000_001;
  private nextAggId = 2_450_000_001;

  constructor(private readonly deps: EngineDeps) {
    this.specs = new Map(deps.specs.map((s) => [s.symbol, s]));
    this.market = new Market(deps.specs, mulberry32(deps.seed));
  }

  private get now(): number {
    return this.deps.clock.now();
  }

  /** Back to the initial state: no accounts, no orders, prices at their seeds. */
  reset(seed: number): void {
    this.market = new Market(this.deps.specs, mulberry32(seed));
    this.accounts.clear();
    this.openBySymbol.clear();
    this.algosBySymbol.clear();
    this.childToAlgo.clear();
    this.listenKeys.clear();
    this.listenKeyOf.clear();
    this.lastTop.clear();
  }

  symbols(): string[] {
    return [...this.specs.keys()];
  }

  // ---------------------------------------------------------------- accounts

  createAccount(id: string, balance: string): Account {
    const acc: Account = {
      id,
      wallet: balance,
      dualSide: false,
      configs: new Map(),
      positions: new Map(),
      orders: new Map(),
      openOrders: new Map(),
      clientIds: new Map(),
      ordersBySymbol: new Map(),
      algos: new Map(),
      openAlgos: new Map(),
      algoClientIds: new Map(),
      tradesBySymbol: new Map(),
      updateTime: this.now,
    };
    this.accounts.set(id, acc);
    return acc;
  }

  account(id: string): Account {
    const acc = this.accounts.get(id);
    if (!acc) throw new Error(`unknown account ${id}`);
    return acc;
  }

  position(acc: Account, symbol: string, positionSide: PositionSide): Position {
    const key = `${symbol}:${positionSide}`;
    let p = acc.positions.get(key);
    if (!p) {
      p = { symbol, positionSide, amt: '0', entryPrice: '0', realized: '0', isolatedWallet: '0', openFees: '0', updateTime: 0 };
      acc.positions.set(key, p);
    }
    return p;
  }

  /** Sets leverage 1..max of bracket 1 (`-4028` otherwise, fact sheet §5). */
  setLeverage(accountId: string, symbol: string, leverage: number, raw: string): Res<{ leverage: number }> {
    const spec = this.specs.get(symbol);
    if (!spec) return errRes(E.badSymbol());
    const maxLev = spec.brackets[0]?.initialLeverage ?? 1;
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > maxLev) return errRes(E.badLeverage(raw));
    const acc = this.account(accountId);
    configOf(acc, symbol).leverage = leverage;
    this.deps.ledger.append(this.now, 'account.config', accountId, symbol, { leverage });
    this.deps.bus.user(accountId, { e: 'ACCOUNT_CONFIG_UPDATE', E: this.now, T: this.now, ac: { s: symbol, l: leverage } });
    return okRes({ leverage });
  }

  /** `-4046` same type, `-4047` open orders, `-4048` open position (fact sheet §3, §5). */
  setMarginType(accountId: string, symbol: string, marginType: 'CROSSED' | 'ISOLATED'): Res<null> {
    const acc = this.account(accountId);
    const cfg = configOf(acc, symbol);
    if (cfg.marginType === marginType) return errRes(E.noNeedMarginType());
    if ([...acc.openOrders.values()].some((o) => o.symbol === symbol)) return errRes(E.marginTypeOpenOrders());
    if ([...acc.positions.values()].some((p) => p.symbol === symbol && !isZero(p.amt))) return errRes(E.marginTypePosition());
    cfg.marginType = marginType;
    this.deps.ledger.append(this.now, 'account.config', accountId, symbol, { marginType });
    return okRes(null);
  }

  /** `-4059` no change, `-4067` open orders, `-4068` open positions (fact sheet §3). */
  setDualSide(accountId: string, dual: boolean): Res<null> {
    const acc = this.account(accountId);
    if (acc.dualSide === dual) return errRes(E.noNeedPositionSide());
    if (acc.openOrders.size > 0 || acc.openAlgos.size > 0) return errRes(E.positionSideOpenOrders());
    if ([...acc.positions.values()].some((p) => !isZero(p.amt))) return errRes(E.positionSidePosition());
    acc.dualSide = dual;
    acc.positions.clear();
    this.deps.ledger.append(this.now, 'account.config', accountId, null, { dualSidePosition: dual });
    return okRes(null);
  }

  // ---------------------------------------------------------------- orders

  /** Position side rules (fact sheet §4.3): BOTH in one-way mode, LONG/SHORT required in hedge mode (`-4061`). */
  private resolvePositionSide(acc: Account, sent: PositionSide | null): Res<PositionSide> {
    if (acc.dualSide) return sent === 'LONG' || sent === 'SHORT' ? okRes(sent) : errRes(E.positionSideMismatch());
    return sent === null || sent === 'BOTH' ? okRes('BOTH') : errRes(E.positionSideMismatch());
  }

  /** Quantity an order may still take off its position (0 when there is nothing on the other side). */
  private reducible(acc: Account, symbol: string, side: Side, positionSide: PositionSide): string {
    const amt = acc.positions.get(`${symbol}:${positionSide}`)?.amt ?? '0';
    if (side === 'SELL') return gt(amt, '0') ? amt : '0';
    return isNegative(amt) ? abs(amt) : '0';
  }

  private openCountOnSymbol(acc: Account, symbol: string): number {
    let n = 0;
    for (const o of acc.openOrders.values()) if (o.symbol === symbol) n++;
    for (const a of acc.openAlgos.values()) if (a.symbol === symbol) n++;
    return n;
  }

  private rejectOrder(accountId: string, symbol: string, clientOrderId: string | null, error: BinanceError): Res<never> {
    this.deps.ledger.append(this.now, 'order.rejected', accountId, symbol, { clientOrderId, code: error.code, msg: error.msg });
    return errRes(error);
  }

  /** Checks margin for `openQty` at `price` (`-2019`). */
  private marginError(acc: Account, symbol: string, openQty: string, price: string): BinanceError | null {
    if (isZero(openQty)) return null;
    const need = div(mul(openQty, price), String(configOf(acc, symbol).leverage), 8);
    return gt(need, accountFigures(acc, this.market).available) ? E.marginInsufficient() : null;
  }

  /** New LIMIT/MARKET order (POST /fapi/v1/order). Validation order follows the fact sheet §4. */
  placeOrder(accountId: string, inp: NewOrderInput): Res<Placed> {
    const acc = this.account(accountId);
    const m = this.market.get(inp.symbol);
    const reject = (error: BinanceError): Res<never> => this.rejectOrder(accountId, inp.symbol, inp.newClientOrderId, error);
    if (!m) return reject(E.badSymbol());
    const spec = m.spec;
    const ps = this.resolvePositionSide(acc, inp.positionSide);
    if (!ps.ok) return reject(ps.error);
    // reduceOnly "cannot be sent in Hedge mode" (fact sheet §4.3).
    if (acc.dualSide && inp.reduceOnly !== null) return reject(E.notRequired('reduceOnly'));
    const cid = inp.newClientOrderId ?? `sim${randomAlnum(22)}`;
    if (!CLIENT_ID_RE.test(cid)) return reject(E.clientIdInvalid());
    if (this.isOpenClientId(acc, inp.symbol, cid)) return reject(E.duplicateClientId());
    if (inp.type === 'MARKET' && inp.price !== null) return reject(E.notRequired('price'));
    const qtyErr = checkQty(spec, inp.quantity, inp.type === 'MARKET');
    if (qtyErr) return reject(qtyErr);
    const reduceOnly = inp.reduceOnly === true;
    const reducing = isReducing({ reduceOnly, closePosition: false, side: inp.side, positionSide: ps.value });
    let price = '0';
    if (inp.type === 'LIMIT') {
      if (inp.price === null) return reject(E.mandatory('price'));
      const pe = checkPrice(spec, inp.price) ?? checkPercentPrice(spec, inp.side, inp.price, m.mark);
      if (pe) return reject(pe);
      price = inp.price;
    }
    const notionalErr = checkNotional(spec, inp.quantity, inp.type === 'LIMIT' ? price : m.mark, reducing);
    if (notionalErr) return reject(notionalErr);
    const tif = inp.type === 'LIMIT' ? (inp.timeInForce ?? 'GTC') : 'GTC';
    let gtd = 0;
    if (inp.type === 'LIMIT' && tif === 'GTD') {
      if (inp.goodTillDate === null) return reject(E.mandatory('goodTillDate'));
      if (inp.goodTillDate <= this.now + GTD_MIN_AHEAD_MS || inp.goodTillDate >= GTD_MAX) return reject(E.badGtd());
      gtd = inp.goodTillDate;
    }
    if (this.openCountOnSymbol(acc, inp.symbol) >= MAX_OPEN_PER_SYMBOL) return reject(E.maxOpenOrders());
    // Reduce-only (one-way) and hedge-mode closes must face a position they can shrink (-2022, fact sheet §5).
    if (reducing && isZero(this.reducible(acc, inp.symbol, inp.side, ps.value))) return reject(E.reduceOnlyReject());
    const open = openingQty(acc, inp.symbol, inp.side, ps.value, inp.quantity, reducing);
    const marginErr = this.marginError(acc, inp.symbol, open, inp.type === 'LIMIT' ? price : m.mark);
    if (marginErr) return reject(marginErr);
    if (inp.type === 'LIMIT') {
      const { bid, ask } = this.market.top(m);
      const takes = inp.side === 'BUY' ? gte(price, ask[0]) : lte(price, bid[0]);
      // GTX is post-only: rejected if it would take (fact sheet §4.2, -5022).
      if (tif === 'GTX' && takes) return reject(E.gtxReject());
      // FOK must fill completely at once or is rejected (-5021).
      if (tif === 'FOK') {
        const fillable = this.walk(m, inp.side, price, inp.quantity).reduce((s, f) => add(s, f.qty), '0');
        if (lt(fillable, inp.quantity)) return reject(E.fokReject());
      }
    }
    const order = this.accept(acc, {
      symbol: inp.symbol,
      clientOrderId: cid,
      side: inp.side,
      positionSide: ps.value,
      type: inp.type,
      origType: inp.type,
      timeInForce: tif,
      price,
      origQty: inp.quantity,
      reduceOnly,
      closePosition: false,
      stopPrice: '0',
      workingType: 'CONTRACT_PRICE',
      priceProtect: false,
      goodTillDate: gtd,
      selfTradePreventionMode: inp.stp,
      activatePrice: null,
      priceRate: null,
    });
    const ack: Order = { ...order };
    this.executeTaker(acc, order, m);
    return okRes({ ack, order });
  }

  private isOpenClientId(acc: Account, symbol: string, cid: string): boolean {
    const id = acc.clientIds.get(`${symbol}|${cid}`);
    return id !== undefined && acc.openOrders.has(id);
  }

  /** Registers an accepted order as open, logs it and pushes `x=NEW`. */
  private accept(
    acc: Account,
    f: Omit<Order, 'orderId' | 'accountId' | 'executedQty' | 'cumQuote' | 'status' | 'time' | 'updateTime' | 'expiryReason' | 'modifyCount'>,
  ): Order {
    const now = this.now;
    const order: Order = { ...f, orderId: this.nextOrderId++, accountId: acc.id, executedQty: '0', cumQuote: '0', status: 'NEW', time: now, updateTime: now, expiryReason: ER.none, modifyCount: 0 };
    acc.orders.set(order.orderId, order);
    acc.openOrders.set(order.orderId, order);
    acc.clientIds.set(`${order.symbol}|${order.clientOrderId}`, order.orderId);
    let list = acc.ordersBySymbol.get(order.symbol);
    if (!list) acc.ordersBySymbol.set(order.symbol, (list = []));
    list.push(order);
    let book = this.openBySymbol.get(order.symbol);
    if (!book) this.openBySymbol.set(order.symbol, (book = new Map()));
    book.set(order.orderId, order);
    this.deps.ledger.append(now, 'order.placed', acc.id, order.symbol, {
      orderId: order.orderId, clientOrderId: order.clientOrderId, side: order.side, positionSide: order.positionSide,
      type: order.type, origType: order.origType, timeInForce: order.timeInForce, price: order.price, quantity: order.origQty,
      reduceOnly: order.reduceOnly, closePosition: order.closePosition,
    });
    this.emitOrder(order, 'NEW', null);
    return order;
  }

  private emitOrder(o: Order, x: ExecType, fill: FillInfo | null): void {
    this.deps.bus.user(o.accountId, orderTradeUpdate(o, x, this.now, fill));
  }

  /** Walks the opposite side of the book up to `limit` (null = no limit) for at most `want`. */
  private walk(m: SymbolMarket, side: Side, limit: string | null, want: string): { price: string; qty: string }[] {
    const fills: { price: string; qty: string }[] = [];
    let left = want;
    for (const count of [64, 4096]) {
      fills.length = 0;
      left = want;
      for (const [price, qty] of this.market.levels(m, side === 'BUY' ? 'ask' : 'bid', count)) {
        if (limit !== null && (side === 'BUY' ? gt(price, limit) : lt(price, limit))) return fills;
        const q = min(left, qty);
        fills.push({ price, qty: q });
        left = sub(left, q);
        if (isZero(left)) return fills;
      }
    }
    return fills;
  }

  /** Immediate (taker) part of a new order; the rest rests (GTC/GTD) or expires (MARKET, IOC). */
  private executeTaker(acc: Account, o: Order, m: SymbolMarket): void {
    let want = sub(o.origQty, o.executedQty);
    let clipped = false;
    if (isReducing(o)) {
      const r = this.reducible(acc, o.symbol, o.side, o.positionSide);
      if (lt(r, want)) {
        want = r;
        clipped = true;
      }
    }
    if (!isZero(want)) {
      for (const f of this.walk(m, o.side, o.type === 'LIMIT' ? o.price : null, want)) this.applyFill(acc, o, f.qty, f.price, false, m);
    }
    if (FINAL.has(o.status)) return;
    if (o.type === 'MARKET') this.finish(o, 'EXPIRED', clipped ? ER.reduceOnly : ER.marketRemainder);
    else if (o.timeInForce === 'IOC' || o.timeInForce === 'FOK') this.finish(o, 'EXPIRED', ER.ioc);
    else if (clipped && isZero(want)) this.finish(o, 'EXPIRED', ER.reduceOnly);
  }

  /** Books one fill: position, wallet, fees, realized PnL, trade record, events, ledger. */
  private applyFill(acc: Account, o: Order, qty: string, price: string, maker: boolean, m: SymbolMarket): void {
    const now = this.now;
    const quote = mul(qty, price);
    const commission = roundToStep(mul(quote, maker ? FEES.maker : FEES.taker), '0.00000001', 'half-up');
    const cfg = configOf(acc, o.symbol);
    const pos = this.position(acc, o.symbol, o.positionSide);
    const signed = o.side === 'BUY' ? qty : neg(qty);
    let realized = '0';
    const increases = isZero(pos.amt) || isNegative(pos.amt) === isNegative(signed);
    if (increases) {
      const oldAbs = abs(pos.amt);
      const newAbs = add(oldAbs, qty);
      pos.entryPrice = div(add(mul(oldAbs, pos.entryPrice), quote), newAbs, 8);
      pos.amt = add(pos.amt, signed);
      pos.openFees = add(pos.openFees, commission);
      if (cfg.marginType === 'ISOLATED') pos.isolatedWallet = add(pos.isolatedWallet, div(quote, String(cfg.leverage), 8));
    } else {
      const oldAbs = abs(pos.amt);
      const closeQty = min(oldAbs, qty);
      const pnlPerUnit = isNegative(pos.amt) ? sub(pos.entryPrice, price) : sub(price, pos.entryPrice);
      realized = mul(pnlPerUnit, closeQty);
      const keep = div(sub(oldAbs, closeQty), oldAbs, 12);
      pos.isolatedWallet = roundToStep(mul(pos.isolatedWallet, keep), '0.00000001', 'half-up');
      pos.openFees = roundToStep(mul(pos.openFees, keep), '0.00000001', 'half-up');
      pos.amt = add(pos.amt, signed);
      const rest = sub(qty, closeQty);
      if (isZero(pos.amt)) {
        pos.entryPrice = '0';
        pos.isolatedWallet = '0';
        pos.openFees = '0';
      } else if (gt(rest, '0')) {
        // One-way flip: the remainder opens a new position at this price.
        pos.entryPrice = price;
        pos.openFees = commission;
        pos.isolatedWallet = cfg.marginType === 'ISOLATED' ? div(mul(rest, price), String(cfg.leverage), 8) : '0';
      }
    }
    pos.realized = add(pos.realized, realized);
    pos.updateTime = now;
    acc.wallet = sub(add(acc.wallet, realized), commission);
    acc.updateTime = now;
    o.executedQty = add(o.executedQty, qty);
    o.cumQuote = add(o.cumQuote, quote);
    o.updateTime = now;
    o.status = gte(o.executedQty, o.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    const tradeId = this.nextTradeId++;
    m.day.record(now, price, qty, tradeId);
    const trade = { id: tradeId, symbol: o.symbol, orderId: o.orderId, side: o.side, positionSide: o.positionSide, price, qty, quoteQty: quote, commission, realizedPnl: realized, maker, time: now };
    let trades = acc.tradesBySymbol.get(o.symbol);
    if (!trades) acc.tradesBySymbol.set(o.symbol, (trades = []));
    trades.push(trade);
    const ledger = this.deps.ledger;
    ledger.append(now, 'fill', acc.id, o.symbol, { orderId: o.orderId, clientOrderId: o.clientOrderId, tradeId, side: o.side, price, qty, commission, realizedPnl: realized, maker });
    ledger.append(now, 'position', acc.id, o.symbol, { positionSide: pos.positionSide, positionAmt: pos.amt, entryPrice: pos.entryPrice, walletBalance: acc.wallet });
    const fill: FillInfo = { qty, price, tradeId, commission, maker, realized };
    this.emitOrder(o, 'TRADE', fill);
    const bus = this.deps.bus;
    bus.user(acc.id, tradeLite(o, now, fill));
    const fig = positionFigures(acc, pos, m.spec, m.mark);
    bus.user(acc.id, {
      e: 'ACCOUNT_UPDATE',
      E: now,
      T: now,
      a: {
        m: 'ORDER',
        B: [{ a: 'USDT', wb: acc.wallet, cw: crossWallet(acc), bc: '0' }],
        P: [{ s: pos.symbol, pa: pos.amt, ep: pos.entryPrice, bep: fig.breakEvenPrice, cr: pos.realized, up: fig.unrealized, mt: cfg.marginType === 'ISOLATED' ? 'isolated' : 'cross', iw: pos.isolatedWallet, ps: pos.positionSide }],
      },
    });
    bus.market(`${o.symbol.toLowerCase()}@aggTrade`, {
      e: 'aggTrade', E: now, a: this.nextAggId++, s: o.symbol, p: price, q: qty, nq: qty, f: tradeId, l: tradeId, T: now,
      m: maker ? o.side === 'SELL' : o.side === 'SELL',
    });
    if (o.status === 'FILLED') this.finish(o, 'FILLED', ER.none);
  }

  /** Moves an order to a final status, drops it from the open sets and finishes its algo parent. */
  private finish(o: Order, status: 'FILLED' | 'CANCELED' | 'EXPIRED', er: number): void {
    const acc = this.account(o.accountId);
    acc.openOrders.delete(o.orderId);
    this.openBySymbol.get(o.symbol)?.delete(o.orderId);
    const now = this.now;
    o.updateTime = now;
    const kind = status === 'FILLED' ? 'order.filled' : status === 'CANCELED' ? 'order.canceled' : 'order.expired';
    this.deps.ledger.append(now, kind, o.accountId, o.symbol, { orderId: o.orderId, clientOrderId: o.clientOrderId, executedQty: o.executedQty, avgPrice: avgPrice(o) });
    if (status !== 'FILLED') {
      o.status = status;
      o.expiryReason = er;
      this.emitOrder(o, status === 'CANCELED' ? 'CANCELED' : 'EXPIRED', null);
    }
    const parent = this.childToAlgo.get(o.orderId);
    if (parent) {
      this.childToAlgo.delete(o.orderId);
      parent.algoStatus = 'FINISHED';
      parent.updateTime = now;
      this.deps.ledger.append(now, 'algo.finished', o.accountId, o.symbol, { algoId: parent.algoId, clientAlgoId: parent.clientAlgoId, actualOrderId: o.orderId, status: o.status });
      this.deps.bus.user(o.accountId, algoUpdate(parent, now, avgPrice(o), o.executedQty, o.type));
    }
  }

  findOrder(acc: Account, symbol: string, ref: OrderRef): Order | undefined {
    const id = ref.orderId ?? (ref.clientId === null ? undefined : acc.clientIds.get(`${symbol}|${ref.clientId}`));
    const o = id === undefined ? undefined : acc.orders.get(id);
    return o && o.symbol === symbol ? o : undefined;
  }

  /** DELETE /fapi/v1/order: only open orders can be cancelled (`-2011`, fact sheet §5). */
  cancelOrder(accountId: string, symbol: string, ref: OrderRef): Res<Order> {
    const acc = this.account(accountId);
    const o = this.findOrder(acc, symbol, ref);
    if (!o || !acc.openOrders.has(o.orderId)) return errRes(E.cancelRejected());
    this.finish(o, 'CANCELED', ER.none);
    return okRes(o);
  }

  /** DELETE /fapi/v1/allOpenOrders: normal orders only; conditional orders have DELETE /fapi/v1/algoOpenOrders (fact sheet §11.1). */
  cancelAll(accountId: string, symbol: string): void {
    const acc = this.account(accountId);
    for (const o of [...acc.openOrders.values()]) if (o.symbol === symbol) this.finish(o, 'CANCELED', ER.none);
  }

  /**
   * PUT /fapi/v1/order (fact sheet §4.9): LIMIT only (-5025); a rejected amendment leaves the order as it was;
   * new qty ≤ executed or a GTX price that would take cancels the order; `x=AMENDMENT` on success.
   */
  modifyOrder(accountId: string, symbol: string, ref: OrderRef, side: Side, quantity: string, price: string): Res<Order> {
    const acc = this.account(accountId);
    const m = this.market.get(symbol);
    if (!m) return errRes(E.badSymbol());
    const o = this.findOrder(acc, symbol, ref);
    if (!o || !acc.openOrders.has(o.orderId)) return errRes(E.noSuchOrder());
    if (o.type !== 'LIMIT') return errRes(E.onlyLimitModify());
    if (o.side !== side) return errRes(E.badValue('side'));
    if (cmp(o.origQty, quantity) === 0 && cmp(o.price, price) === 0) return errRes(E.noNeedModify());
    const fe = checkQty(m.spec, quantity, false) ?? checkPrice(m.spec, price) ?? checkPercentPrice(m.spec, side, price, m.mark);
    if (fe) return errRes(fe);
    const { bid, ask } = this.market.top(m);
    const takes = side === 'BUY' ? gte(price, ask[0]) : lte(price, bid[0]);
    if (lte(quantity, o.executedQty) || (o.timeInForce === 'GTX' && takes)) {
      this.finish(o, 'CANCELED', ER.none);
      return okRes(o);
    }
    o.price = price;
    o.origQty = quantity;
    o.modifyCount++;
    o.selfTradePreventionMode = 'NONE';
    o.updateTime = this.now;
    this.deps.ledger.append(this.now, 'order.amended', accountId, symbol, { orderId: o.orderId, clientOrderId: o.clientOrderId, price, quantity });
    this.emitOrder(o, 'AMENDMENT', null);
    if (takes) this.executeTaker(acc, o, m);
    return okRes(o);
  }

  // ---------------------------------------------------------------- algo orders

  /**
   * POST /fapi/v1/algoOrder (fact sheet §4.4–4.8). An already-satisfied trigger is refused: STOP/STOP_MARKET with
   * `-2021 "Order would immediately trigger."` and TAKE_PROFIT/TAKE_PROFIT_MARKET with `-4142` (the TP/SL-specific
   * code of §5); a trailing stop whose activation price is already passed gets `-2021` (§4.5).
   */
  placeAlgo(accountId: string, inp: NewAlgoInput): Res<Algo> {
    const acc = this.account(accountId);
    const m = this.market.get(inp.symbol);
    const now = this.now;
    const reject = (error: BinanceError): Res<never> => {
      this.deps.ledger.append(now, 'algo.rejected', accountId, inp.symbol, { clientAlgoId: inp.clientAlgoId, code: error.code, msg: error.msg });
      return errRes(error);
    };
    if (!m) return reject(E.badSymbol());
    const spec = m.spec;
    const ps = this.resolvePositionSide(acc, inp.positionSide);
    if (!ps.ok) return reject(ps.error);
    if (acc.dualSide && inp.reduceOnly !== null) return reject(E.notRequired('reduceOnly'));
    const cid = inp.clientAlgoId ?? `sim${randomAlnum(22)}`;
    if (!CLIENT_ID_RE.test(cid)) return reject(E.clientIdInvalid());
    const dupId = acc.algoClientIds.get(cid);
    if (dupId !== undefined && acc.openAlgos.has(dupId)) return reject(E.duplicateClientId());
    const t = inp.type;
    const isMarketType = t === 'STOP_MARKET' || t === 'TAKE_PROFIT_MARKET' || t === 'TRAILING_STOP_MARKET';
    if (inp.closePosition) {
      // closePosition: STOP_MARKET / TAKE_PROFIT_MARKET only, never with quantity or reduceOnly, and in hedge mode
      // not BUY+LONG or SELL+SHORT (fact sheet §4.4).
      if (t !== 'STOP_MARKET' && t !== 'TAKE_PROFIT_MARKET') return reject(E.notRequired('closePosition'));
      if (inp.quantity !== null) return reject(E.notRequired('quantity'));
      if (inp.reduceOnly !== null) return reject(E.notRequired('reduceOnly'));
      if ((ps.value === 'LONG' && inp.side === 'BUY') || (ps.value === 'SHORT' && inp.side === 'SELL')) return reject(E.badValue('closePosition'));
    } else if (inp.quantity === null) return reject(E.mandatory('quantity'));
    const qty = inp.quantity ?? '0';
    if (inp.quantity !== null) {
      const qe = checkQty(spec, qty, isMarketType);
      if (qe) return reject(qe);
    }
    let price = '0';
    if (!isMarketType) {
      if (inp.price === null) return reject(E.mandatory('price'));
      const pe = checkPrice(spec, inp.price);
      if (pe) return reject(pe);
      price = inp.price;
    } else if (inp.price !== null) return reject(E.notRequired('price'));
    const latest = inp.workingType === 'MARK_PRICE' ? m.mark : m.last;
    let triggerPrice = '0';
    let activatePrice = '0';
    let callbackRate = '0';
    if (t === 'TRAILING_STOP_MARKET') {
      if (inp.callbackRate === null) return reject(E.mandatory('callbackRate'));
      // callbackRate 0.1..20 percent on algo endpoints since 2026-10-23 (fact sheet §4.6).
      if (lt(inp.callbackRate, '0.1') || gt(inp.callbackRate, '20')) return reject(E.badValue('callbackRate'));
      callbackRate = inp.callbackRate;
      activatePrice = inp.activatePrice ?? latest;
      if (inp.activatePrice !== null) {
        const ae = checkPrice(spec, inp.activatePrice);
        if (ae) return reject(ae);
        // BUY activates on a fall, SELL on a rise: an activation price on the wrong side would fire at once (§4.5).
        if (inp.side === 'BUY' ? gt(activatePrice, latest) : lt(activatePrice, latest)) return reject(E.wouldTrigger());
      }
    } else {
      if (inp.triggerPrice === null) return reject(E.mandatory('triggerPrice'));
      const te = checkPrice(spec, inp.triggerPrice);
      if (te) return reject(te);
      triggerPrice = inp.triggerPrice;
      if (conditionMet(t, inp.side, latest, triggerPrice)) return reject(t === 'STOP' || t === 'STOP_MARKET' ? E.wouldTrigger() : E.tpslWouldTrigger());
    }
    const reducing = isReducing({ reduceOnly: inp.reduceOnly === true, closePosition: inp.closePosition, side: inp.side, positionSide: ps.value });
    if (inp.quantity !== null) {
      const ref = isMarketType ? (t === 'TRAILING_STOP_MARKET' ? activatePrice : triggerPrice) : price;
      const ne = checkNotional(spec, qty, ref, reducing);
      if (ne) return reject(ne);
    }
    let gtd = 0;
    const tif = inp.timeInForce ?? 'GTC';
    if (tif === 'GTD') {
      if (inp.goodTillDate === null) return reject(E.mandatory('goodTillDate'));
      if (inp.goodTillDate <= now + GTD_MIN_AHEAD_MS || inp.goodTillDate >= GTD_MAX) return reject(E.badGtd());
      gtd = inp.goodTillDate;
    }
    if (acc.openAlgos.size >= MAX_OPEN_ALGOS) return reject(E.maxStopOrders());
    if (this.openCountOnSymbol(acc, inp.symbol) >= MAX_OPEN_PER_SYMBOL) return reject(E.maxOpenOrders());
    const algo: Algo = {
      algoId: this.nextAlgoId++,
      accountId,
      clientAlgoId: cid,
      orderType: t,
      symbol: inp.symbol,
      side: inp.side,
      positionSide: ps.value,
      timeInForce: tif,
      quantity: qty,
      algoStatus: 'NEW',
      triggerPrice,
      price,
      workingType: inp.workingType,
      priceProtect: inp.priceProtect,
      reduceOnly: inp.reduceOnly === true,
      closePosition: inp.closePosition,
      activatePrice,
      callbackRate,
      selfTradePreventionMode: inp.stp,
      goodTillDate: gtd,
      createTime: now,
      updateTime: now,
      triggerTime: 0,
      actualOrderId: null,
      extreme: latest,
      failureReason: '',
    };
    acc.algos.set(algo.algoId, algo);
    acc.openAlgos.set(algo.algoId, algo);
    acc.algoClientIds.set(cid, algo.algoId);
    let set = this.algosBySymbol.get(algo.symbol);
    if (!set) this.algosBySymbol.set(algo.symbol, (set = new Map()));
    set.set(algo.algoId, algo);
    this.deps.ledger.append(now, 'algo.placed', accountId, algo.symbol, {
      algoId: algo.algoId, clientAlgoId: cid, orderType: t, side: algo.side, positionSide: algo.positionSide, quantity: qty,
      triggerPrice, price, activatePrice, callbackRate, workingType: algo.workingType, reduceOnly: algo.reduceOnly, closePosition: algo.closePosition,
    });
    this.deps.bus.user(accountId, algoUpdate(algo, now, '0', '0', ''));
    return okRes(algo);
  }

  findAlgo(acc: Account, algoId: number | null, clientAlgoId: string | null): Algo | undefined {
    const id = algoId ?? (clientAlgoId === null ? undefined : acc.algoClientIds.get(clientAlgoId));
    return id === undefined ? undefined : acc.algos.get(id);
  }

  private closeAlgo(a: Algo, status: 'CANCELED' | 'EXPIRED' | 'REJECTED', reason: string): void {
    const acc = this.account(a.accountId);
    acc.openAlgos.delete(a.algoId);
    this.algosBySymbol.get(a.symbol)?.delete(a.algoId);
    a.algoStatus = status;
    a.failureReason = reason;
    a.updateTime = this.now;
    const kind = status === 'CANCELED' ? 'algo.canceled' : status === 'EXPIRED' ? 'algo.expired' : 'algo.rejected';
    this.deps.ledger.append(this.now, kind, a.accountId, a.symbol, { algoId: a.algoId, clientAlgoId: a.clientAlgoId, reason });
    this.deps.bus.user(a.accountId, algoUpdate(a, this.now, '0', '0', ''));
  }

  /** DELETE /fapi/v1/algoOrder: only NEW algo orders can be cancelled (`-2011`). */
  cancelAlgo(accountId: string, algoId: number | null, clientAlgoId: string | null): Res<Algo> {
    const acc = this.account(accountId);
    const a = this.findAlgo(acc, algoId, clientAlgoId);
    if (!a || !acc.openAlgos.has(a.algoId)) return errRes(E.cancelRejected());
    this.closeAlgo(a, 'CANCELED', '');
    return okRes(a);
  }

  cancelAllAlgos(accountId: string, symbol: string): void {
    const acc = this.account(accountId);
    for (const a of [...acc.openAlgos.values()]) if (a.symbol === symbol) this.closeAlgo(a, 'CANCELED', '');
  }

  /**
   * Fires a conditional order: a child MARKET (STOP_MARKET, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET) or LIMIT
   * (STOP, TAKE_PROFIT) order with a matching-engine orderId reported as `actualOrderId`/`ai` (fact sheet §0).
   * The child's clientOrderId is the clientAlgoId (fact sheet §11.2 leaves it open; this keeps the link visible).
   *
   * Reduce-only and closePosition orders whose position is gone when they fire end `EXPIRED` with
   * `rm: "Reduce Only reject"` and no child order. Binance lets such orders exist without a position (fact sheet
   * §11.5) and reports the refusal at trigger time through ALGO_UPDATE's `rm` failure reason (§8, example
   * "Reduce Only reject"); cancelling them when a position closes would silently remove a user's protective order
   * that a later re-entry may rely on.
   */
  private trigger(a: Algo, m: SymbolMarket): void {
    const acc = this.account(a.accountId);
    const now = this.now;
    a.triggerTime = now;
    a.updateTime = now;
    a.algoStatus = 'TRIGGERING';
    acc.openAlgos.delete(a.algoId);
    this.algosBySymbol.get(a.symbol)?.delete(a.algoId);
    this.deps.bus.user(a.accountId, algoUpdate(a, now, '0', '0', ''));
    const reducing = isReducing(a);
    const reducible = this.reducible(acc, a.symbol, a.side, a.positionSide);
    if (reducing && isZero(reducible)) {
      this.closeAlgo(a, 'EXPIRED', 'Reduce Only reject');
      return;
    }
    const qty = a.closePosition ? reducible : a.quantity;
    const isLimit = a.orderType === 'STOP' || a.orderType === 'TAKE_PROFIT';
    const open = openingQty(acc, a.symbol, a.side, a.positionSide, qty, reducing);
    const marginErr = this.marginError(acc, a.symbol, open, isLimit ? a.price : m.mark);
    if (marginErr) {
      this.closeAlgo(a, 'REJECTED', marginErr.msg);
      return;
    }
    const trailing = a.orderType === 'TRAILING_STOP_MARKET';
    const childId = this.nextOrderId;
    a.actualOrderId = childId;
    a.algoStatus = 'TRIGGERED';
    this.deps.ledger.append(now, 'algo.triggered', a.accountId, a.symbol, { algoId: a.algoId, clientAlgoId: a.clientAlgoId, actualOrderId: childId, last: m.last, mark: m.mark });
    this.deps.bus.user(a.accountId, algoUpdate(a, now, '0', '0', isLimit ? 'LIMIT' : 'MARKET'));
    const child = this.accept(acc, {
      symbol: a.symbol,
      clientOrderId: a.clientAlgoId,
      side: a.side,
      positionSide: a.positionSide,
      type: isLimit ? 'LIMIT' : 'MARKET',
      origType: a.orderType,
      // A triggered STOP/TAKE_PROFIT rests like GTC; GTX/FOK children are treated as GTC/IOC for simplicity.
      timeInForce: isLimit ? (a.timeInForce === 'GTX' ? 'GTC' : a.timeInForce === 'FOK' ? 'IOC' : a.timeInForce) : 'GTC',
      price: a.price,
      origQty: qty,
      reduceOnly: a.reduceOnly,
      closePosition: a.closePosition,
      stopPrice: a.triggerPrice,
      workingType: a.workingType,
      priceProtect: a.priceProtect,
      goodTillDate: a.goodTillDate,
      selfTradePreventionMode: a.selfTradePreventionMode,
      activatePrice: trailing ? a.activatePrice : null,
      priceRate: trailing ? a.callbackRate : null,
    });
    this.childToAlgo.set(child.orderId, a);
    this.executeTaker(acc, child, m);
  }

  // ---------------------------------------------------------------- market

  /** One random-walk step for all symbols, then fills and triggers. */
  tick(): void {
    this.market.step();
    for (const s of this.specs.keys()) this.afterPriceChange(s, true);
    this.sweep();
  }

  /** Sets a symbol's last and mark prices (control API), then fills and triggers. */
  setPrice(symbol: string, last: string, mark?: string): boolean {
    if (!this.market.get(symbol)) return false;
    this.market.set(symbol, last, mark);
    this.afterPriceChange(symbol, true);
    this.sweep();
    return true;
  }

  /** After a price change: bookTicker on change, a market aggTrade, resting fills, then conditional triggers, each in placement order. */
  private afterPriceChange(symbol: string, trade: boolean): void {
    const m = this.market.get(symbol);
    if (!m) return;
    const now = this.now;
    const { bid, ask } = this.market.top(m);
    const topKey = `${bid[0]}|${bid[1]}|${ask[0]}|${ask[1]}`;
    const lower = symbol.toLowerCase();
    if (this.lastTop.get(symbol) !== topKey) {
      this.lastTop.set(symbol, topKey);
      this.deps.bus.market(`${lower}@bookTicker`, { e: 'bookTicker', u: m.updateId, E: now, T: now, s: symbol, b: bid[0], B: bid[1], a: ask[0], A: ask[1] });
    }
    if (trade) {
      const id = this.nextTradeId++;
      m.day.record(now, m.last, m.spec.minQty, id);
      this.deps.bus.market(`${lower}@aggTrade`, { e: 'aggTrade', E: now, a: this.nextAggId++, s: symbol, p: m.last, q: m.spec.minQty, nq: m.spec.minQty, f: id, l: id, T: now, m: false });
    }
    this.matchResting(m);
    this.evaluateAlgos(m);
    // `<symbol>@ticker` and `@miniTicker` update every 2 s (fact sheet §7; Binance's stream pages); pushed on the
    // first price change after that interval. ccxt's watchTicker subscribes `@miniTicker` by default.
    if (now - m.day.lastPushAt >= TICKER_PUSH_MS) {
      m.day.lastPushAt = now;
      const day = m.day.snapshot(now, m.last);
      this.deps.bus.market(`${lower}@ticker`, tickerEvent(day, now));
      this.deps.bus.market(`${lower}@miniTicker`, miniTickerEvent(day, now));
    }
  }

  /** Resting LIMIT orders fill as maker at their price once the book crosses them, up to the liquidity crossed. */
  private matchResting(m: SymbolMarket): void {
    const open = this.openBySymbol.get(m.spec.symbol);
    if (!open || open.size === 0) return;
    const { bid, ask } = this.market.top(m);
    for (const o of [...open.values()]) {
      if (o.type !== 'LIMIT' || FINAL.has(o.status)) continue;
      const crosses = o.side === 'BUY' ? lte(ask[0], o.price) : gte(bid[0], o.price);
      if (!crosses) continue;
      const acc = this.account(o.accountId);
      let want = sub(o.origQty, o.executedQty);
      if (isReducing(o)) {
        const r = this.reducible(acc, o.symbol, o.side, o.positionSide);
        if (isZero(r)) {
          this.finish(o, 'EXPIRED', ER.reduceOnly);
          continue;
        }
        want = min(want, r);
      }
      const available = this.walk(m, o.side, o.price, want).reduce((s, f) => add(s, f.qty), '0');
      if (!isZero(available)) this.applyFill(acc, o, available, o.price, true, m);
    }
  }

  /** Trigger rules of fact sheet §4.5, in placement order. */
  private evaluateAlgos(m: SymbolMarket): void {
    const set = this.algosBySymbol.get(m.spec.symbol);
    if (!set || set.size === 0) return;
    for (const a of [...set.values()]) {
      if (a.algoStatus !== 'NEW') continue;
      const latest = a.workingType === 'MARK_PRICE' ? m.mark : m.last;
      let fire: boolean;
      if (a.orderType === 'TRAILING_STOP_MARKET') {
        a.extreme = a.side === 'BUY' ? min(a.extreme, latest) : (gt(latest, a.extreme) ? latest : a.extreme);
        const activated = a.side === 'BUY' ? lte(a.extreme, a.activatePrice) : gte(a.extreme, a.activatePrice);
        // BUY: latest ≥ lowest × (1 + rate); SELL: latest ≤ highest × (1 − rate); rate in percent, compared exactly.
        const scaled = mul(latest, '100');
        fire = activated && (a.side === 'BUY' ? gte(scaled, mul(a.extreme, add('100', a.callbackRate))) : lte(scaled, mul(a.extreme, sub('100', a.callbackRate))));
      } else {
        fire = conditionMet(a.orderType, a.side, latest, a.triggerPrice);
      }
      if (!fire) continue;
      // priceProtect: no trigger while |mark − last| / mark exceeds the symbol's triggerProtect (§4.5).
      if (a.priceProtect && gt(div(abs(sub(m.mark, m.last)), m.mark, 8), m.spec.triggerProtect)) continue;
      this.trigger(a, m);
    }
  }

  /** Time-based expiries: GTD orders and algo orders, listenKeys. */
  sweep(): void {
    const now = this.now;
    for (const open of this.openBySymbol.values()) {
      for (const o of open.values()) if (o.goodTillDate > 0 && o.goodTillDate <= now) this.finish(o, 'EXPIRED', ER.none);
    }
    for (const set of this.algosBySymbol.values()) {
      for (const a of set.values()) if (a.goodTillDate > 0 && a.goodTillDate <= now) this.closeAlgo(a, 'EXPIRED', 'GTD expired');
    }
    for (const [key, entry] of this.listenKeys) if (entry.expiresAt <= now) this.expireListenKey(key, entry);
  }

  /** markPriceUpdate for every symbol on `<sym>@markPrice<suffix>` (fact sheet §7). */
  emitMarkPrices(suffix: '' | '@1s'): void {
    const now = this.now;
    const nextFunding = Math.ceil((now + 1) / 28_800_000) * 28_800_000;
    for (const m of this.market.bySymbol.values()) {
      this.deps.bus.market(`${m.spec.symbol.toLowerCase()}@markPrice${suffix}`, {
        e: 'markPriceUpdate', E: now, s: m.spec.symbol, p: m.mark, ap: m.mark, i: m.last, P: m.mark, r: '0.00010000', T: nextFunding,
      });
    }
  }

  // ---------------------------------------------------------------- listen keys

  /** POST /fapi/v1/listenKey: the live key is returned and extended, else a new one (fact sheet §8). */
  startListenKey(accountId: string): string {
    const now = this.now;
    const existing = this.listenKeyOf.get(accountId);
    const entry = existing === undefined ? undefined : this.listenKeys.get(existing);
    if (existing !== undefined && entry && entry.expiresAt > now) {
      entry.expiresAt = now + LISTEN_KEY_TTL_MS;
      return existing;
    }
    const key = randomAlnum(64);
    this.listenKeys.set(key, { accountId, expiresAt: now + LISTEN_KEY_TTL_MS });
    this.listenKeyOf.set(accountId, key);
    return key;
  }

  /** PUT /fapi/v1/listenKey: extends the account's live key; none → `-1125`. */
  keepAliveListenKey(accountId: string): Res<string> {
    const key = this.listenKeyOf.get(accountId);
    const entry = key === undefined ? undefined : this.listenKeys.get(key);
    if (key === undefined || !entry || entry.expiresAt <= this.now) return errRes(E.badListenKey());
    entry.expiresAt = this.now + LISTEN_KEY_TTL_MS;
    return okRes(key);
  }

  closeListenKey(accountId: string): void {
    const key = this.listenKeyOf.get(accountId);
    if (key !== undefined) this.listenKeys.delete(key);
    this.listenKeyOf.delete(accountId);
  }

  accountForListenKey(key: string, nowMs: number): string | null {
    const entry = this.listenKeys.get(key);
    return entry && entry.expiresAt > nowMs ? entry.accountId : null;
  }

  /** Expires listenKeys now (fault "listenKey expiry now"); all accounts when `accountId` is null. Returns how many. */
  expireListenKeysNow(accountId: string | null): number {
    let n = 0;
    for (const [key, entry] of [...this.listenKeys]) {
      if (accountId === null || entry.accountId === accountId) {
        this.expireListenKey(key, entry);
        n++;
      }
    }
    return n;
  }

  private expireListenKey(key: string, entry: ListenKeyEntry): void {
    this.listenKeys.delete(key);
    if (this.listenKeyOf.get(entry.accountId) === key) this.listenKeyOf.delete(entry.accountId);
    this.deps.bus.user(entry.accountId, { e: 'listenKeyExpired', E: this.now, listenKey: key });
  }
}

/** STOP: BUY when latest ≥ trigger, SELL when ≤; TAKE_PROFIT: BUY when latest ≤ trigger, SELL when ≥ (fact sheet §4.5). */
export function conditionMet(type: AlgoType, side: Side, latest: string, trigger: string): boolean {
  const stop = type === 'STOP' || type === 'STOP_MARKET';
  const buyUp = stop === (side === 'BUY');
  return buyUp ? gte(latest, trigger) : lte(latest, trigger);
}
