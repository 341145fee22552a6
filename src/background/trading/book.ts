/**
 * What the trading session knows of the account and the market, updated from REST snapshots and stream events,
 * and turned into the UI's `TradingSnapshot`. No I/O here.
 */
import { abs, div, gt, isZero, lt, mul, sub } from '../../shared/decimal.ts';
import type { PositionView, TradingSnapshot, Ticket } from '../../shared/messages.ts';
import type { ProtectionView } from '../../core/asl.ts';
import type { AlgoOrder, Balance, Order, Position, UserEvent } from '../exchange/schemas.ts';

type PositionSide = 'BOTH' | 'LONG' | 'SHORT';
const sideOf = (ps: string | undefined): PositionSide => (ps === 'LONG' || ps === 'SHORT' ? ps : 'BOTH');

export interface HeldPosition {
  readonly symbol: string;
  readonly positionSide: PositionSide;
  readonly amount: string;
  readonly entryPrice: string;
  readonly liquidationPrice: string;
}

export interface RestingOrder {
  readonly symbol: string;
  readonly kind: 'order' | 'algo';
  readonly clientId: string;
  readonly side: 'BUY' | 'SELL';
  readonly type: string;
  readonly quantity: string;
  readonly price: string;
  readonly status: string;
}

const key = (symbol: string, ps: string): string => `${symbol}:${ps}`;

export class AccountBook {
  readonly marks = new Map<string, { price: string; atMs: number }>();
  readonly quotes = new Map<string, { bid: string; ask: string }>();
  readonly positions = new Map<string, HeldPosition>();
  readonly orders = new Map<string, RestingOrder>();
  readonly leverage = new Map<string, number>();
  availableBalance = '0';

  setBalances(rows: readonly Balance[]): void {
    const usdt = rows.find((b) => b.asset === 'USDT');
    if (usdt !== undefined) this.availableBalance = usdt.availableBalance;
  }

  setPositions(rows: readonly Position[]): void {
    this.positions.clear();
    for (const p of rows) {
      if (p.leverage !== undefined) this.leverage.set(p.symbol, Number(p.leverage));
      if (isZero(p.positionAmt)) continue;
      this.positions.set(key(p.symbol, p.positionSide), {
        symbol: p.symbol,
        positionSide: sideOf(p.positionSide),
        amount: p.positionAmt,
        entryPrice: p.entryPrice,
        liquidationPrice: p.liquidationPrice,
      });
    }
  }

  /** Replaces the open orders with a read's: of every symbol, or only of the symbols in `scope` that it covered. */
  setOpenOrders(orders: readonly Order[], algos: readonly AlgoOrder[], scope: ReadonlySet<string> | null = null): void {
    if (scope === null) this.orders.clear();
    else for (const [k, o] of this.orders) if (scope.has(o.symbol)) this.orders.delete(k);
    for (const o of orders) {
      this.orders.set(`o:${o.clientOrderId}`, {
        symbol: o.symbol, kind: 'order', clientId: o.clientOrderId, side: o.side, type: o.type,
        quantity: o.origQty, price: o.price, status: o.status,
      });
    }
    for (const a of algos) {
      this.orders.set(`a:${a.clientAlgoId}`, {
        symbol: a.symbol, kind: 'algo', clientId: a.clientAlgoId, side: a.side, type: a.orderType,
        quantity: a.quantity ?? '0', price: a.triggerPrice ?? '0', status: a.algoStatus,
      });
    }
  }

  /** Applies a user-stream event (§8); returns whether anything the UI shows changed. */
  apply(event: UserEvent): boolean {
    switch (event.e) {
      case 'ACCOUNT_UPDATE': {
        const usdt = event.a.B.find((b) => b.a === 'USDT');
        // ACCOUNT_UPDATE carries wallet balances, not the available balance: it is re-read over REST by the caller.
        for (const p of event.a.P) {
          const k = key(p.s, p.ps);
          if (isZero(p.pa)) this.positions.delete(k);
          else {
            const prev = this.positions.get(k);
            this.positions.set(k, {
              symbol: p.s, positionSide: sideOf(p.ps), amount: p.pa, entryPrice: p.ep,
              liquidationPrice: prev?.liquidationPrice ?? '0',
            });
          }
        }
        return usdt !== undefined || event.a.P.length > 0;
      }
      case 'ORDER_TRADE_UPDATE': {
        const o = event.o;
        const k = `o:${o.c}`;
        if (o.X === 'NEW' || o.X === 'PARTIALLY_FILLED') {
          this.orders.set(k, { symbol: o.s, kind: 'order', clientId: o.c, side: o.S, type: o.o, quantity: o.q, price: o.p, status: o.X });
        } else this.orders.delete(k);
        return true;
      }
      case 'ALGO_UPDATE': {
        const o = event.o;
        const k = `a:${o.caid}`;
        if (o.X === 'NEW') {
          this.orders.set(k, { symbol: o.s, kind: 'algo', clientId: o.caid, side: o.S, type: o.o, quantity: o.q ?? '0', price: o.tp ?? '0', status: o.X });
        } else this.orders.delete(k);
        return true;
      }
      case 'listenKeyExpired':
        return false;
    }
  }

  /** Unrealized PnL, PnL % of entry (the ASL measure) and ROE % (PnL over initial margin). */
  positionView(p: HeldPosition, protection: ProtectionView | undefined): PositionView {
    const mark = this.marks.get(p.symbol)?.price ?? p.entryPrice;
    const pnl = mul(sub(mark, p.entryPrice), p.amount);
    const pnlPercent = isZero(p.entryPrice) ? '0' : div(mul(div(sub(mark, p.entryPrice), p.entryPrice, 10), lt(p.amount, '0') ? '-100' : '100'), '1', 2);
    const leverage = this.leverage.get(p.symbol) ?? 1;
    const margin = div(mul(abs(p.amount), p.entryPrice), String(leverage), 10);
    const roe = isZero(margin) ? '0' : div(mul(pnl, '100'), margin, 2);
    return {
      symbol: p.symbol,
      positionSide: p.positionSide,
      amount: p.amount,
      entryPrice: p.entryPrice,
      markPrice: mark,
      unrealizedPnl: div(pnl, '1', 4),
      pnlPercent,
      roePercent: roe,
      liquidationPrice: p.liquidationPrice,
      leverage,
      ...(protection?.stopPrice == null ? {} : { stopPrice: protection.stopPrice }),
      ...(protection === undefined || protection.activeTier === 0 ? {} : { activeTier: protection.activeTier - 1 }),
      ...(protection?.nextTierTriggerPrice == null ? {} : { nextTierPrice: protection.nextTierTriggerPrice }),
      ...(protection?.unprotectedMs == null ? {} : { unprotectedMs: protection.unprotectedMs }),
    };
  }

  snapshot(
    ticket: Ticket,
    symbols: readonly string[],
    protections: readonly ProtectionView[],
    protectiveIds: ReadonlySet<string>,
    connection: TradingSnapshot['connection'],
  ): TradingSnapshot {
    const prot = new Map(protections.map((v) => [key(v.symbol, v.positionSide), v]));
    return {
      ticket,
      symbols: [...symbols],
      marks: Object.fromEntries([...this.marks].map(([s, m]) => [s, m.price])),
      book: Object.fromEntries(this.quotes),
      availableBalance: this.availableBalance,
      positions: [...this.positions.values()]
        .filter((p) => gt(abs(p.amount), '0'))
        .map((p) => this.positionView(p, prot.get(key(p.symbol, p.positionSide)))),
      orders: [...this.orders.values()].map((o) => ({ ...o, protective: protectiveIds.has(o.clientId) })),
      connection,
    };
  }
}
