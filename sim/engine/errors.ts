/**
 * Binance error bodies (fact sheet §5, "Codes are universal, but messages can vary"). One constructor per code keeps
 * the exact texts in one place; the HTTP status follows Binance's 4XX = sender error rule (fact sheet §5 HTTP
 * semantics): 400 for request errors, 401 for key problems, 404 for unknown routes.
 */
import type { BinanceError } from '../contracts.ts';

/** A value or a Binance error. */
export type Res<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: BinanceError };

export const okRes = <T>(value: T): Res<T> => ({ ok: true, value });
export const errRes = <T = never>(error: BinanceError): Res<T> => ({ ok: false, error });

const e = (code: number, msg: string, httpStatus = 400): BinanceError => ({ httpStatus, code, msg });

/** Error catalogue; texts follow Binance's error-code page (fact sheet §5, D-ERR). */
export const E = {
  unknown: (): BinanceError => e(-1000, 'An unknown error occured while processing the request.', 500),
  tooManyRequests: (ip: string, limit: number): BinanceError =>
    e(-1003, `Too many requests; current limit of IP(${ip}) is ${limit} requests per minute. Please use the websocket for live updates to avoid polling the API.`, 429),
  banned: (ip: string, untilMs: number): BinanceError =>
    e(-1003, `Way too many requests; IP(${ip}) banned until ${untilMs}. Please use the websocket for live updates to avoid bans.`, 418),
  timeoutUnknown: (httpStatus: number): BinanceError =>
    e(-1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.', httpStatus),
  tooManyOrders: (limit: number, interval: string): BinanceError =>
    e(-1015, `Too many new orders; current limit is ${limit} orders per ${interval}.`, 429),
  timestampAhead: (): BinanceError => e(-1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  timestampOutside: (): BinanceError => e(-1021, 'Timestamp for this request is outside of the recvWindow.'),
  badSignature: (): BinanceError => e(-1022, 'Signature for this request is not valid.'),
  illegalChars: (name: string): BinanceError => e(-1100, `Illegal characters found in parameter '${name}'.`),
  tooManyParams: (): BinanceError => e(-1101, 'Too many parameters sent for this endpoint.'),
  mandatory: (name: string): BinanceError =>
    e(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  notRequired: (name: string): BinanceError => e(-1106, `Parameter '${name}' sent when not required.`),
  badPrecision: (): BinanceError => e(-1111, 'Precision is over the maximum defined for this asset.'),
  badTif: (): BinanceError => e(-1115, 'Invalid timeInForce.'),
  badOrderType: (): BinanceError => e(-1116, 'Invalid orderType.'),
  badSide: (): BinanceError => e(-1117, 'Invalid side.'),
  badSymbol: (): BinanceError => e(-1121, 'Invalid symbol.'),
  badListenKey: (): BinanceError => e(-1125, 'This listenKey does not exist.'),
  badValue: (name: string): BinanceError => e(-1130, `Data sent for parameter '${name}' is not valid.`),
  badRecvWindow: (): BinanceError => e(-1131, 'recvWindow must be less than 60000'),
  bodyTooLarge: (limit: number): BinanceError => e(-1000, `Request body exceeds ${limit} bytes.`, 413),
  serverError: (httpStatus: number, code: number, msg: string): BinanceError => e(code, msg, httpStatus),
  cancelRejected: (): BinanceError => e(-2011, 'Unknown order sent.'),
  noSuchOrder: (): BinanceError => e(-2013, 'Order does not exist.'),
  badKeyFormat: (): BinanceError => e(-2014, 'API-key format invalid.', 401),
  rejectedKey: (ip: string): BinanceError =>
    e(-2015, `Invalid API-key, IP, or permissions for action, request ip: ${ip}`, 401),
  marginInsufficient: (): BinanceError => e(-2019, 'Margin is insufficient.'),
  wouldTrigger: (): BinanceError => e(-2021, 'Order would immediately trigger.'),
  reduceOnlyReject: (): BinanceError => e(-2022, 'ReduceOnly Order is rejected.'),
  maxOpenOrders: (): BinanceError => e(-2025, 'Reach max open order limit.'),
  priceTooHigh: (): BinanceError => e(-4002, 'Price greater than max price.'),
  qtyNotPositive: (): BinanceError => e(-4003, 'Quantity less than or equal to zero.'),
  qtyTooSmall: (): BinanceError => e(-4004, 'Quantity less than min quantity.'),
  qtyTooBig: (): BinanceError => e(-4005, 'Quantity greater than max quantity.'),
  priceTooLow: (): BinanceError => e(-4013, 'Price less than min price.'),
  priceTick: (): BinanceError => e(-4014, 'Price not increased by tick size.'),
  clientIdInvalid: (): BinanceError => e(-4015, 'Client order id length should not be more than 36 chars'),
  percentUp: (limit: string): BinanceError => e(-4016, `Limit price can't be higher than ${limit}.`),
  qtyStep: (): BinanceError => e(-4023, 'Quantity not increased by step size.'),
  percentDown: (limit: string): BinanceError => e(-4024, `Limit price can't be lower than ${limit}.`),
  badLeverage: (lev: string): BinanceError => e(-4028, `Leverage ${lev} is not valid`),
  maxStopOrders: (): BinanceError => e(-4045, 'Reach max stop order limit.'),
  noNeedMarginType: (): BinanceError => e(-4046, 'No need to change margin type.'),
  marginTypeOpenOrders: (): BinanceError => e(-4047, 'Margin type cannot be changed if there exists open orders.'),
  marginTypePosition: (): BinanceError => e(-4048, 'Margin type cannot be changed if there exists position.'),
  noNeedPositionSide: (): BinanceError => e(-4059, 'No need to change position side.'),
  positionSideMismatch: (): BinanceError => e(-4061, "Order's position side does not match user's setting."),
  positionSideOpenOrders: (): BinanceError => e(-4067, 'Position side cannot be changed if there exists open orders.'),
  positionSidePosition: (): BinanceError => e(-4068, 'Position side cannot be changed if there exists position.'),
  duplicateClientId: (): BinanceError => e(-4116, 'ClientOrderId is duplicated.'),
  useAlgo: (): BinanceError =>
    e(-4120, 'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.'),
  tpslWouldTrigger: (): BinanceError => e(-4142, 'REJECT: take profit or stop order will be triggered immediately'),
  minNotional: (notional: string): BinanceError =>
    e(-4164, `Order's notional must be no smaller than ${notional} (unless you choose reduce only).`),
  fokReject: (): BinanceError =>
    e(-5021, 'Due to the order could not be filled immediately, the FOK order has been rejected. The order will not be recorded in the order history'),
  gtxReject: (): BinanceError =>
    e(-5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history'),
  onlyLimitModify: (): BinanceError => e(-5025, 'Only limit order is supported.'),
  noNeedModify: (): BinanceError => e(-5027, 'No need to modify the order.'),
  badGtd: (): BinanceError =>
    e(-5040, 'The goodTillDate timestamp must be greater than the current time plus 600 seconds and smaller than 253402300799000'),
  notFound: (method: string, path: string): BinanceError => e(-5000, `Path ${path}, Method ${method} is invalid`, 404),
} as const;
