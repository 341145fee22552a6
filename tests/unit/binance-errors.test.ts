import { describe, expect, it } from 'vitest';
import { KNOWN_BINANCE_CODES, mapBinanceError, mapTransportFailure, type RecoveryPolicy } from '../../src/core/binance-errors.ts';
import { AppErrorSchema } from '../../src/shared/result.ts';

type Row = [code: number, kind: string, policy: RecoveryPolicy];

// Every code listed in the fact sheet (§5 table, §4.14, "Other useful", §4.x) with its expected mapping.
const TABLE: Row[] = [
  [-1000, 'UNKNOWN_STATUS', 'reconcile'],
  [-1001, 'EXCHANGE', 'retry'],
  [-1003, 'RATE_LIMITED', 'backoff'],
  [-1006, 'UNKNOWN_STATUS', 'reconcile'],
  [-1007, 'UNKNOWN_STATUS', 'reconcile'],
  [-1008, 'RATE_LIMITED', 'backoff'],
  [-1013, 'VALIDATION', 'refresh-filters'],
  [-1015, 'RATE_LIMITED', 'backoff'],
  [-1021, 'EXCHANGE', 'resync-time'],
  [-1022, 'EXCHANGE', 'give-up'],
  [-1102, 'EXCHANGE', 'give-up'],
  [-1111, 'VALIDATION', 'refresh-filters'],
  [-1116, 'EXCHANGE', 'give-up'],
  [-1121, 'VALIDATION', 'refresh-filters'],
  [-1125, 'EXCHANGE', 'give-up'],
  [-2008, 'EXCHANGE', 'give-up'],
  [-2010, 'EXCHANGE', 'give-up'],
  [-2011, 'EXCHANGE', 'reconcile'],
  [-2013, 'EXCHANGE', 'give-up'],
  [-2014, 'EXCHANGE', 'give-up'],
  [-2015, 'EXCHANGE', 'give-up'],
  [-2019, 'EXCHANGE', 'give-up'],
  [-2021, 'EXCHANGE', 'give-up'],
  [-2022, 'EXCHANGE', 'give-up'],
  [-2025, 'EXCHANGE', 'give-up'],
  [-4002, 'VALIDATION', 'refresh-filters'],
  [-4003, 'VALIDATION', 'refresh-filters'],
  [-4004, 'VALIDATION', 'refresh-filters'],
  [-4005, 'VALIDATION', 'refresh-filters'],
  [-4013, 'VALIDATION', 'refresh-filters'],
  [-4014, 'VALIDATION', 'refresh-filters'],
  [-4015, 'EXCHANGE', 'give-up'],
  [-4016, 'VALIDATION', 'refresh-filters'],
  [-4023, 'VALIDATION', 'refresh-filters'],
  [-4024, 'VALIDATION', 'refresh-filters'],
  [-4028, 'VALIDATION', 'give-up'],
  [-4046, 'EXCHANGE', 'give-up'],
  [-4047, 'EXCHANGE', 'give-up'],
  [-4048, 'EXCHANGE', 'give-up'],
  [-4059, 'EXCHANGE', 'give-up'],
  [-4061, 'EXCHANGE', 'give-up'],
  [-4067, 'EXCHANGE', 'give-up'],
  [-4068, 'EXCHANGE', 'give-up'],
  [-4116, 'EXCHANGE', 'reconcile'],
  [-4120, 'EXCHANGE', 'give-up'],
  [-4131, 'VALIDATION', 'refresh-filters'],
  [-4142, 'EXCHANGE', 'give-up'],
  [-4164, 'VALIDATION', 'refresh-filters'],
  [-4400, 'EXCHANGE', 'give-up'],
  [-5021, 'EXCHANGE', 'give-up'],
  [-5022, 'EXCHANGE', 'give-up'],
  [-5025, 'EXCHANGE', 'give-up'],
  [-5026, 'EXCHANGE', 'give-up'],
  [-5027, 'EXCHANGE', 'give-up'],
  [-5028, 'EXCHANGE', 'resync-time'],
  [-5037, 'EXCHANGE', 'give-up'],
  [-5038, 'EXCHANGE', 'give-up'],
  [-5040, 'EXCHANGE', 'give-up'],
  [-5043, 'EXCHANGE', 'give-up'],
];

describe('mapBinanceError: every listed code', () => {
  it.each(TABLE)('%i → %s / %s', (code, kind, policy) => {
    const { error, policy: got } = mapBinanceError({ httpStatus: 400, code, msg: 'binance text' });
    expect(error.code).toBe(kind);
    expect(got).toBe(policy);
    expect(error.exchangeCode).toBe(code);
    expect(error.message).toContain(`(Binance ${code}: binance text)`);
    expect(AppErrorSchema.safeParse(error).success).toBe(true);
  });

  it('the table above covers every code the module knows, and nothing else', () => {
    expect([...KNOWN_BINANCE_CODES].sort()).toEqual(TABLE.map(([c]) => c).sort());
  });
});

describe('mapBinanceError: messages a trader understands', () => {
  it.each([
    [-4004, 'BTCUSDT', 'Quantity is below the minimum for BTCUSDT.'],
    [-4004, undefined, 'Quantity is below the minimum for this symbol.'],
    [-4014, 'ETHUSDT', 'Price is not a multiple of the tick size for ETHUSDT.'],
    [-4164, 'BTCUSDT', 'Order value is below the minimum notional for BTCUSDT (reduce-only orders are exempt).'],
    [-2019, 'BTCUSDT', 'Not enough available margin for this order.'],
    [-1021, undefined, "The request's timestamp was outside Binance's receive window (clock out of sync); Strike is resynchronising with the server clock."],
  ])('%i for %s', (code, symbol, text) => {
    const { error } = mapBinanceError(symbol === undefined ? { httpStatus: 400, code } : { httpStatus: 400, code, symbol });
    expect(error.message).toBe(`${text} (Binance ${code})`);
  });

  it("keeps Binance's detail, e.g. the notional threshold in -4164", () => {
    const msg = "Order's notional must be no smaller than 100 (unless you choose reduce only).";
    const { error } = mapBinanceError({ httpStatus: 400, code: -4164, msg, symbol: 'BTCUSDT' });
    expect(error.message).toContain('no smaller than 100');
    expect(error.message.startsWith('Order value is below the minimum notional for BTCUSDT')).toBe(true);
  });

  it('an unknown code passes through verbatim with its code', () => {
    expect(mapBinanceError({ httpStatus: 400, code: -9999, msg: 'Something new.' })).toEqual({
      error: { code: 'EXCHANGE', message: 'Something new.', exchangeCode: -9999 },
      policy: 'give-up',
    });
  });

  it('an unknown code without msg still says which code', () => {
    expect(mapBinanceError({ httpStatus: 400, code: -9999 }).error.message).toBe('Binance error -9999.');
  });

  it('an unknown code on a 5xx may have executed: reconcile', () => {
    expect(mapBinanceError({ httpStatus: 502, code: -9999, msg: 'x' }).policy).toBe('reconcile');
  });
});

describe('mapBinanceError: HTTP semantics (§5)', () => {
  it.each([
    { name: '418 ban with Retry-After', input: { httpStatus: 418, code: -1003, msg: 'Way too many requests; IP banned until 1700000000000.', retryAfterSec: 600 }, kind: 'BANNED', policy: 'give-up', text: /banned this IP.*about 10 min/ },
    { name: '418 without Retry-After', input: { httpStatus: 418 }, kind: 'BANNED', policy: 'give-up', text: /at least 2 min/ },
    { name: '-1003 "IP banned" text even on 429', input: { httpStatus: 429, code: -1003, msg: 'Way too many requests; IP banned until 1700000000000.' }, kind: 'BANNED', policy: 'give-up', text: /banned/ },
    { name: '429 with Retry-After', input: { httpStatus: 429, code: -1003, msg: 'Too many requests', retryAfterSec: 12 }, kind: 'RATE_LIMITED', policy: 'backoff', text: /pausing for 12 s/ },
    { name: '429 without code', input: { httpStatus: 429 }, kind: 'RATE_LIMITED', policy: 'backoff', text: /rest of the minute/ },
    { name: '503 "Unknown error…" may have executed', input: { httpStatus: 503, msg: 'Unknown error, please check your request or try again later.' }, kind: 'UNKNOWN_STATUS', policy: 'reconcile', text: /may or may not have been executed/ },
    { name: '503 "Service Unavailable." is a certain failure', input: { httpStatus: 503, msg: 'Service Unavailable.' }, kind: 'EXCHANGE', policy: 'backoff', text: /not executed/ },
    { name: '503 "Internal error…" may resend', input: { httpStatus: 503, msg: 'Internal error; unable to process your request. Please try again.' }, kind: 'EXCHANGE', policy: 'retry', text: /can be sent again/ },
    { name: '503 with -1008 throttle', input: { httpStatus: 503, code: -1008, msg: 'Request throttled by system-level protection.' }, kind: 'RATE_LIMITED', policy: 'backoff', text: /throttled/ },
    { name: '408 backend timeout', input: { httpStatus: 408 }, kind: 'UNKNOWN_STATUS', policy: 'reconcile', text: /HTTP 408/ },
    { name: '500 without body', input: { httpStatus: 500 }, kind: 'UNKNOWN_STATUS', policy: 'reconcile', text: /HTTP 500/ },
    { name: '503 with an unrecognised text', input: { httpStatus: 503, msg: 'Bad gateway' }, kind: 'UNKNOWN_STATUS', policy: 'reconcile', text: /Bad gateway/ },
    { name: '403 WAF', input: { httpStatus: 403 }, kind: 'EXCHANGE', policy: 'give-up', text: /firewall/ },
    { name: '401 without code', input: { httpStatus: 401 }, kind: 'EXCHANGE', policy: 'give-up', text: /API key/ },
    { name: '401 with -2015 uses the code', input: { httpStatus: 401, code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' }, kind: 'EXCHANGE', policy: 'give-up', text: /whitelisted/ },
    { name: '404 passes the text through', input: { httpStatus: 404, msg: 'Not Found' }, kind: 'EXCHANGE', policy: 'give-up', text: /^Not Found$/ },
    { name: '400 without anything', input: { httpStatus: 400 }, kind: 'EXCHANGE', policy: 'give-up', text: /HTTP 400/ },
  ])('$name', ({ input, kind, policy, text }) => {
    const { error, policy: got } = mapBinanceError(input);
    expect(error.code).toBe(kind);
    expect(got).toBe(policy);
    expect(error.message).toMatch(text);
    expect(AppErrorSchema.safeParse(error).success).toBe(true);
  });
});

describe('mapTransportFailure', () => {
  it.each([
    ['timeout', 'UNKNOWN_STATUS'],
    ['network', 'NETWORK'],
    ['aborted', 'UNKNOWN_STATUS'],
  ] as const)('%s → %s, reconcile (the request may have executed)', (kind, code) => {
    const { error, policy } = mapTransportFailure(kind);
    expect(error.code).toBe(code);
    expect(policy).toBe('reconcile');
    expect(error.exchangeCode).toBeUndefined();
    expect(error.message).toMatch(/may or may not have been executed/);
  });
});
