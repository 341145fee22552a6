/** The engine's state shapes. Decimal values are canonical decimal strings; ids and times are integers. */

export type Side = 'BUY' | 'SELL';
export type PositionSide = 'BOTH' | 'LONG' | 'SHORT';
export type BasicType = 'LIMIT' | 'MARKET';
export type AlgoType = 'STOP' | 'STOP_MARKET' | 'TAKE_PROFIT' | 'TAKE_PROFIT_MARKET' | 'TRAILING_STOP_MARKET';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTX' | 'GTD';
export type WorkingType = 'MARK_PRICE' | 'CONTRACT_PRICE';
export type StpMode = 'NONE' | 'EXPIRE_TAKER' | 'EXPIRE_MAKER' | 'EXPIRE_BOTH';
export type MarginType = 'CROSSED' | 'ISOLATED';
export type OrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
export type AlgoStatus = 'NEW' | 'CANCELED' | 'TRIGGERING' | 'TRIGGERED' | 'FINISHED' | 'REJECTED' | 'EXPIRED';
export type RespType = 'ACK' | 'RESULT';
/** Execution type `x` of ORDER_TRADE_UPDATE (fact sheet §4.11). */
export type ExecType = 'NEW' | 'CANCELED' | 'EXPIRED' | 'TRADE' | 'AMENDMENT';

export const ALGO_TYPES: readonly AlgoType[] = ['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'];

/** A matching-engine order (LIMIT or MARKET; triggered algo orders create one of these). */
export interface Order {
  readonly orderId: number;
  readonly accountId: string;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly side: Side;
  readonly positionSide: PositionSide;
  readonly type: BasicType;
  /** LIMIT/MARKET, or the algo type that created this order. */
  readonly origType: BasicType | AlgoType;
  readonly timeInForce: TimeInForce;
  price: string;
  origQty: string;
  executedQty: string;
  cumQuote: string;
  status: OrderStatus;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly stopPrice: string;
  readonly workingType: WorkingType;
  readonly priceProtect: boolean;
  readonly goodTillDate: number;
  selfTradePreventionMode: StpMode;
  readonly time: number;
  updateTime: number;
  readonly activatePrice: string | null;
  readonly priceRate: string | null;
  /** Expiry reason `er` of ORDER_TRADE_UPDATE (fact sheet §8). */
  expiryReason: number;
  modifyCount: number;
}

/** A conditional order in the algo service (fact sheet §3.3). */
export interface Algo {
  readonly algoId: number;
  readonly accountId: string;
  readonly clientAlgoId: string;
  readonly orderType: AlgoType;
  readonly symbol: string;
  readonly side: Side;
  readonly positionSide: PositionSide;
  readonly timeInForce: TimeInForce;
  readonly quantity: string;
  algoStatus: AlgoStatus;
  readonly triggerPrice: string;
  readonly price: string;
  readonly workingType: WorkingType;
  readonly priceProtect: boolean;
  readonly reduceOnly: boolean;
  readonly closePosition: boolean;
  readonly activatePrice: string;
  readonly callbackRate: string;
  readonly selfTradePreventionMode: StpMode;
  readonly goodTillDate: number;
  readonly createTime: number;
  updateTime: number;
  triggerTime: number;
  actualOrderId: number | null;
  /** Trailing stop: best price seen since placement (lowest for BUY, highest for SELL). */
  extreme: string;
  failureReason: string;
}

export interface Position {
  readonly symbol: string;
  readonly positionSide: PositionSide;
  /** Signed: negative for short (also on the SHORT side in hedge mode). */
  amt: string;
  entryPrice: string;
  /** Accumulated realized PnL (`cr` of ACCOUNT_UPDATE). */
  realized: string;
  isolatedWallet: string;
  /** Commission paid on the open part, for the break-even price. */
  openFees: string;
  updateTime: number;
}

export interface Trade {
  readonly id: number;
  readonly symbol: string;
  readonly orderId: number;
  readonly side: Side;
  readonly positionSide: PositionSide;
  readonly price: string;
  readonly qty: string;
  readonly quoteQty: string;
  readonly commission: string;
  readonly realizedPnl: string;
  readonly maker: boolean;
  readonly time: number;
}

export interface SymbolConfig {
  leverage: number;
  marginType: MarginType;
}

export interface Account {
  readonly id: string;
  /** USDT wallet balance, isolated wallets included. */
  wallet: string;
  dualSide: boolean;
  readonly configs: Map<string, SymbolConfig>;
  readonly positions: Map<string, Position>;
  readonly orders: Map<number, Order>;
  readonly openOrders: Map<number, Order>;
  /** `${symbol}|${clientOrderId}` → latest orderId with that id. */
  readonly clientIds: Map<string, number>;
  readonly ordersBySymbol: Map<string, Order[]>;
  readonly algos: Map<number, Algo>;
  readonly openAlgos: Map<number, Algo>;
  readonly algoClientIds: Map<string, number>;
  readonly tradesBySymbol: Map<string, Trade[]>;
  updateTime: number;
}

/** Validated input of a new LIMIT/MARKET order; nullable fields were not sent. */
export interface NewOrderInput {
  readonly symbol: string;
  readonly side: Side;
  readonly positionSide: PositionSide | null;
  readonly type: BasicType;
  readonly timeInForce: TimeInForce | null;
  readonly quantity: string;
  readonly price: string | null;
  readonly reduceOnly: boolean | null;
  readonly newClientOrderId: string | null;
  readonly stp: StpMode;
  readonly goodTillDate: number | null;
}

/** Validated input of a new conditional order (fact sheet §4.8). */
export interface NewAlgoInput {
  readonly symbol: string;
  readonly side: Side;
  readonly positionSide: PositionSide | null;
  readonly type: AlgoType;
  readonly timeInForce: TimeInForce | null;
  readonly quantity: string | null;
  readonly price: string | null;
  readonly triggerPrice: string | null;
  readonly workingType: WorkingType;
  readonly priceProtect: boolean;
  readonly reduceOnly: boolean | null;
  readonly closePosition: boolean;
  readonly activatePrice: string | null;
  readonly callbackRate: string | null;
  readonly clientAlgoId: string | null;
  readonly stp: StpMode;
  readonly goodTillDate: number | null;
}

/** Reference to an order by id or client id; orderId wins when both are sent (fact sheet §3 modify row). */
export interface OrderRef {
  readonly orderId: number | null;
  readonly clientId: string | null;
}
