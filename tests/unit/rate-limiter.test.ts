import { describe, expect, it } from 'vitest';
import { ENDPOINT_WEIGHTS, RateLimiter, weightOf } from '../../src/core/rate-limiter.ts';
import { admit } from '../../src/background/exchange/http.ts';

// A fake server clock: T0 is a minute boundary (and so a 10 s boundary).
const T0 = 1_700_000_040_000;
const W = (weight: number) => ({ weight, orders: 0 });
const ORDER = { weight: 0, orders: 1 };

describe('RateLimiter: buckets and windows', () => {
  it('admits and reserves within the budget (90% of 2400 = 2160 by default)', () => {
    const rl = new RateLimiter();
    expect(rl.admit(W(2000), T0 + 5, 'protective')).toEqual({ kind: 'go' });
    expect(rl.admit(W(160), T0 + 6, 'protective')).toEqual({ kind: 'go' });
    expect(rl.state(T0 + 6).weight).toEqual({ used: 2160, limit: 2400, budget: 2160, routineBudget: 1800, windowEndsMs: T0 + 60_000 });
    const a = rl.admit(W(1), T0 + 7, 'protective');
    expect(a.kind).toBe('wait');
    if (a.kind === 'wait') {
      expect(a.untilMs).toBe(T0 + 60_000);
      expect(a.reason).toMatch(/request weight per minute.*2160 of 2400/);
    }
  });

  it('a refused request reserves nothing', () => {
    const rl = new RateLimiter({ weightPerMinute: 100, safetyRatio: 1 });
    rl.admit(W(90), T0, 'protective');
    expect(rl.admit(W(20), T0 + 1, 'protective').kind).toBe('wait');
    expect(rl.state(T0 + 1).weight.used).toBe(90);
    expect(rl.admit(W(10), T0 + 2, 'protective')).toEqual({ kind: 'go' });
  });

  it('windows are fixed and aligned to server-time boundaries, not to the first request', () => {
    const rl = new RateLimiter({ weightPerMinute: 10, safetyRatio: 1 });
    expect(rl.admit(W(10), T0 + 59_000, 'protective').kind).toBe('go');
    expect(rl.admit(W(1), T0 + 59_999, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 60_000 });
    expect(rl.admit(W(10), T0 + 60_000, 'protective')).toEqual({ kind: 'go' });
  });

  it('ORDERS 10 s bucket: 300 × 0.9 = 270 per 10-second slot', () => {
    const rl = new RateLimiter();
    for (let i = 0; i < 270; i += 1) expect(rl.admit(ORDER, T0 + 1000 + i, 'protective').kind).toBe('go');
    expect(rl.admit(ORDER, T0 + 2000, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 10_000 });
    expect(rl.admit(ORDER, T0 + 10_000, 'protective')).toEqual({ kind: 'go' });
    expect(rl.state(T0 + 10_000).orders1m.used).toBe(271);
  });

  it('ORDERS 1 m bucket waits for the minute even when the 10 s slot is free', () => {
    const rl = new RateLimiter({ ordersPer10s: 1000, ordersPerMinute: 20, safetyRatio: 1 });
    expect(rl.admit({ weight: 0, orders: 20 }, T0 + 1000, 'protective').kind).toBe('go');
    expect(rl.admit(ORDER, T0 + 15_000, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 60_000 });
  });

  it('when several buckets are full, waits for the latest window end', () => {
    const rl = new RateLimiter({ ordersPer10s: 5, ordersPerMinute: 5, safetyRatio: 1 });
    rl.admit({ weight: 0, orders: 5 }, T0 + 1000, 'protective');
    expect(rl.admit(ORDER, T0 + 2000, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 60_000 });
  });

  it('batch orders count 5 per 10 s but 1 per minute', () => {
    const rl = new RateLimiter();
    const cost = weightOf('POST', '/fapi/v1/batchOrders');
    expect(rl.admit(cost, T0, 'protective').kind).toBe('go');
    const s = rl.state(T0);
    expect([s.weight.used, s.orders10s.used, s.orders1m.used]).toEqual([5, 5, 1]);
  });

  it('a fresh window admits even a request larger than the budget (no deadlock)', () => {
    const rl = new RateLimiter({ weightPerMinute: 30, safetyRatio: 0.5, routineRatio: 0.5 });
    expect(rl.admit(W(20), T0, 'protective')).toEqual({ kind: 'go' });
    expect(rl.admit(W(20), T0 + 1, 'protective').kind).toBe('wait');
  });

  it('zero-cost requests always go (when not banned)', () => {
    const rl = new RateLimiter({ weightPerMinute: 1, safetyRatio: 1 });
    rl.admit(W(1), T0, 'protective');
    expect(rl.admit(W(0), T0 + 1, 'protective')).toEqual({ kind: 'go' });
  });

  it('a clock stepping back does not forget spent weight', () => {
    const rl = new RateLimiter({ weightPerMinute: 10, safetyRatio: 1 });
    rl.admit(W(10), T0 + 60_500, 'protective');
    expect(rl.admit(W(1), T0 + 59_000, 'protective').kind).toBe('wait');
  });

  // A restarted worker restored an offset 1.8 s ahead, saw a 1 s ban, then resynced: the ban must end 1 s after the
  // 418 in real time, not 2.8 s (shiftHolds, moved with the estimate); spent weight stays in its server window.
  it('a ban and a 429 hold move with the server-clock estimate; the buckets do not', () => {
    const rl = new RateLimiter({ weightPerMinute: 10, safetyRatio: 1 });
    rl.admit(W(10), T0 + 1, 'protective');
    rl.observeResponse(418, 1, T0 + 100);
    expect(rl.heldUntil(1, 'protective', T0 + 500)).toBe(T0 + 1_100);
    rl.shiftHolds(-1_800);
    expect(rl.heldUntil(1, 'protective', T0 - 900)).toBe(T0 - 700);
    // The trader's text names the moved end.
    expect(rl.state(T0 - 900).reason).toContain(`until ${new Date(T0 - 700).toISOString().slice(11, 19)} UTC (about 1 s)`);
    expect(rl.admit(W(0), T0 - 700, 'protective')).toEqual({ kind: 'go' });
    expect(rl.admit(W(1), T0 + 2_000, 'protective').kind).toBe('wait');
    const held = new RateLimiter();
    held.observeResponse(429, 2, T0);
    held.shiftHolds(500);
    expect(held.heldUntil(1, 'protective', T0)).toBe(T0 + 2_500);
  });

  it.each([-1, 1.5, Number.NaN])('throws on an invalid cost %s', (n) => {
    expect(() => new RateLimiter().admit(W(n), T0, 'protective')).toThrow();
  });

  it.each([0, 1.1, -0.5])('refuses safetyRatio %s', (r) => {
    expect(() => new RateLimiter({ safetyRatio: r })).toThrow();
  });

  it.each([0, 0.95, -0.1])('refuses routineRatio %s (it must be in (0, safetyRatio])', (r) => {
    expect(() => new RateLimiter({ safetyRatio: 0.9, routineRatio: r })).toThrow();
  });
});

describe('RateLimiter: the last share of each limit is kept for protective requests', () => {
  it('routine requests stop at 75% of the weight (1800 of 2400), protective ones go on to 90% (2160)', () => {
    const rl = new RateLimiter();
    expect(rl.admit(W(1800), T0 + 5, 'routine')).toEqual({ kind: 'go' });
    const routine = rl.admit(W(1), T0 + 6, 'routine');
    expect(routine).toMatchObject({ kind: 'wait', untilMs: T0 + 60_000 });
    if (routine.kind === 'wait') expect(routine.reason).toMatch(/1800 of 2400 used, and the rest is kept for protective stops and closes; the request waits 60 s/);
    expect(rl.admit(W(360), T0 + 7, 'protective')).toEqual({ kind: 'go' });
    const protective = rl.admit(W(1), T0 + 8, 'protective');
    expect(protective).toMatchObject({ kind: 'wait', untilMs: T0 + 60_000 });
    if (protective.kind === 'wait') expect(protective.reason).toMatch(/nearly used \(2160 of 2400\)/);
    expect(rl.state(T0 + 8).weight).toMatchObject({ used: 2160, budget: 2160, routineBudget: 1800 });
  });

  it('the same split holds for order counts: 225 routine orders per 10 s, then only protective ones up to 270', () => {
    const rl = new RateLimiter();
    for (let i = 0; i < 225; i += 1) expect(rl.admit(ORDER, T0 + 1000 + i, 'routine').kind).toBe('go');
    expect(rl.admit(ORDER, T0 + 1500, 'routine')).toMatchObject({ kind: 'wait', untilMs: T0 + 10_000 });
    for (let i = 0; i < 45; i += 1) expect(rl.admit(ORDER, T0 + 1600 + i, 'protective').kind).toBe('go');
    expect(rl.admit(ORDER, T0 + 2000, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 10_000 });
    expect(rl.admit(ORDER, T0 + 10_000, 'routine')).toEqual({ kind: 'go' });
  });

  it('critical requests (the stop of a position, a market close) may use the margin up to the limit itself', () => {
    const rl = new RateLimiter();
    for (let i = 0; i < 270; i += 1) expect(rl.admit(ORDER, T0 + 1000 + i, 'protective').kind).toBe('go');
    expect(rl.admit(ORDER, T0 + 1500, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 10_000 });
    for (let i = 0; i < 30; i += 1) expect(rl.admit(ORDER, T0 + 1600 + i, 'critical').kind).toBe('go');
    const past = rl.admit(ORDER, T0 + 2000, 'critical');
    expect(past).toMatchObject({ kind: 'wait', untilMs: T0 + 10_000 });
    if (past.kind === 'wait') expect(past.reason).toMatch(/300 of 300/);
    expect(rl.state(T0 + 2000).orders10s).toMatchObject({ used: 300, limit: 300, budget: 270, routineBudget: 225 });
    expect(rl.admit(ORDER, T0 + 10_000, 'critical')).toEqual({ kind: 'go' });
  });

  it('a server count at the limit holds critical requests too', () => {
    const rl = new RateLimiter();
    rl.observeHeaders({ 'x-mbx-order-count-10s': '299' }, T0 + 5_000);
    expect(rl.admit(ORDER, T0 + 5_001, 'protective').kind).toBe('wait');
    expect(rl.admit(ORDER, T0 + 5_002, 'critical')).toEqual({ kind: 'go' });
    expect(rl.admit(ORDER, T0 + 5_003, 'critical')).toMatchObject({ kind: 'wait', untilMs: T0 + 10_000 });
  });

  it('server counts above the routine share hold routine requests only', () => {
    const rl = new RateLimiter();
    rl.observeHeaders({ 'x-mbx-used-weight-1m': '2000' }, T0 + 5_000);
    expect(rl.admit(W(1), T0 + 5_001, 'routine').kind).toBe('wait');
    expect(rl.admit(W(1), T0 + 5_002, 'protective')).toEqual({ kind: 'go' });
  });

  it('a 429 pause and a 418 ban hold protective requests too', () => {
    const rl = new RateLimiter();
    rl.observeResponse(429, 2, T0);
    expect(rl.admit(W(1), T0 + 1, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 2_000 });
    rl.observeResponse(418, 60, T0 + 10);
    expect(rl.admit(W(1), T0 + 11, 'protective')).toMatchObject({ kind: 'banned', untilMs: T0 + 60_010 });
  });
});

describe('RateLimiter: server headers as truth', () => {
  it('adopts a higher server count, header names in any case', () => {
    const rl = new RateLimiter();
    rl.admit(W(10), T0 + 5000, 'protective');
    rl.observeHeaders({ 'X-MBX-USED-WEIGHT-1M': '2150', 'x-mbx-order-count-10s': '7', 'X-Mbx-Order-Count-1m': '42' }, T0 + 5001);
    const s = rl.state(T0 + 5001);
    expect([s.weight.used, s.orders10s.used, s.orders1m.used]).toEqual([2150, 7, 42]);
    expect(rl.admit(W(11), T0 + 5002, 'protective').kind).toBe('wait');
    expect(rl.admit(W(10), T0 + 5002, 'protective').kind).toBe('go');
  });

  it('keeps our own count when it is higher (requests still in flight)', () => {
    const rl = new RateLimiter();
    rl.admit(W(50), T0 + 5000, 'protective');
    rl.observeHeaders({ 'x-mbx-used-weight-1m': '20' }, T0 + 5001);
    expect(rl.state(T0 + 5001).weight.used).toBe(50);
  });

  it.each(['-1', '', 'abc', '1.5', '1e3'])('ignores a malformed header value %j', (v) => {
    const rl = new RateLimiter();
    rl.admit(W(5), T0 + 5000, 'protective');
    rl.observeHeaders({ 'x-mbx-used-weight-1m': v }, T0 + 5001);
    expect(rl.state(T0 + 5001).weight.used).toBe(5);
  });

  it('ignores unrelated headers', () => {
    const rl = new RateLimiter();
    rl.observeHeaders({ 'content-type': 'application/json', 'x-mbx-used-weight': '999' }, T0 + 5000);
    expect(rl.state(T0 + 5000).weight.used).toBe(0);
  });

  it('a high count right after a boundary is attributed to the old window', () => {
    const rl = new RateLimiter();
    rl.observeHeaders({ 'x-mbx-used-weight-1m': '2100' }, T0 + 300);
    expect(rl.state(T0 + 300).weight.used).toBe(0);
    rl.observeHeaders({ 'x-mbx-used-weight-1m': '2100' }, T0 + 1000);
    expect(rl.state(T0 + 1000).weight.used).toBe(2100);
  });

  it('a header count expires with its window', () => {
    const rl = new RateLimiter();
    rl.observeHeaders({ 'x-mbx-used-weight-1m': '2300' }, T0 + 30_000);
    expect(rl.admit(W(1), T0 + 30_001, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 60_000 });
    expect(rl.admit(W(1), T0 + 60_000, 'protective')).toEqual({ kind: 'go' });
  });
});

describe('RateLimiter: 429 and 418', () => {
  it('429 with Retry-After blocks every request until then', () => {
    const rl = new RateLimiter();
    rl.observeResponse(429, 7, T0 + 1000);
    const a = rl.admit(W(0), T0 + 2000, 'protective');
    expect(a).toMatchObject({ kind: 'wait', untilMs: T0 + 8000 });
    if (a.kind === 'wait') expect(a.reason).toMatch(/HTTP 429/);
    expect(rl.state(T0 + 2000)).toMatchObject({ blockedUntilMs: T0 + 8000, bannedUntilMs: null });
    expect(rl.admit(W(1), T0 + 8000, 'protective')).toEqual({ kind: 'go' });
    expect(rl.state(T0 + 8000)).toMatchObject({ blockedUntilMs: null, reason: null });
  });

  it('429 without Retry-After blocks until the next minute boundary', () => {
    const rl = new RateLimiter();
    rl.observeResponse(429, null, T0 + 12_345);
    expect(rl.admit(W(1), T0 + 12_346, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 60_000 });
  });

  it('a later, shorter 429 does not shorten the block', () => {
    const rl = new RateLimiter();
    rl.observeResponse(429, 30, T0);
    rl.observeResponse(429, 1, T0 + 100);
    expect(rl.state(T0 + 200).blockedUntilMs).toBe(T0 + 30_000);
  });

  it('418 bans every request until Retry-After, with a reason the trader can read', () => {
    const rl = new RateLimiter();
    rl.observeResponse(418, 600, T0);
    const a = rl.admit(W(0), T0 + 1000, 'protective');
    expect(a.kind).toBe('banned');
    if (a.kind === 'banned') {
      expect(a.untilMs).toBe(T0 + 600_000);
      expect(a.reason).toMatch(/banned this IP address/);
      expect(a.reason).toContain(new Date(T0 + 600_000).toISOString().slice(11, 19));
    }
    expect(rl.state(T0 + 1000)).toMatchObject({ bannedUntilMs: T0 + 600_000 });
    expect(rl.admit(W(1), T0 + 600_000, 'protective')).toEqual({ kind: 'go' });
  });

  it.each([null, 0, -5, Number.NaN])('418 with Retry-After %s bans for 2 minutes', (retry) => {
    const rl = new RateLimiter();
    rl.observeResponse(418, retry, T0);
    expect(rl.admit(W(1), T0 + 119_999, 'protective')).toMatchObject({ kind: 'banned', untilMs: T0 + 120_000 });
    expect(rl.admit(W(1), T0 + 120_000, 'protective')).toEqual({ kind: 'go' });
  });

  it('a ban outranks a 429 block', () => {
    const rl = new RateLimiter();
    rl.observeResponse(429, 600, T0);
    rl.observeResponse(418, 60, T0);
    expect(rl.admit(W(1), T0 + 1, 'protective').kind).toBe('banned');
    expect(rl.admit(W(1), T0 + 60_001, 'protective').kind).toBe('wait');
  });

  describe('a request-weight 429 (-1003) lets weightless protective orders through', () => {
    const ipWeight = { code: -1003, weight: 5 };
    it.each([
      // [what, cost, priority, held]
      ['a stop or a market close (IP weight 0, critical)', ORDER, 'critical', false],
      ['a trailing tier (IP weight 0, protective)', ORDER, 'protective', false],
      ['a trader entry (IP weight 0, routine)', ORDER, 'routine', true],
      ['a reconcile read (weight 5, protective)', W(5), 'protective', true],
      ['a cancel (weight 1, protective)', { weight: 1, orders: 0 }, 'protective', true],
    ] as const)('%s: held %s', (_what, cost, priority, held) => {
      const rl = new RateLimiter();
      rl.observeResponse(429, 30, T0, ipWeight);
      const a = rl.admit(cost, T0 + 1, priority);
      expect(a).toEqual(held ? expect.objectContaining({ kind: 'wait', untilMs: T0 + 30_000 }) : { kind: 'go' });
    });

    it('says so to the trader, and the order-count limits still apply to what goes', () => {
      const rl = new RateLimiter({ ordersPer10s: 2, safetyRatio: 1, routineRatio: 1 });
      rl.observeResponse(429, 30, T0, ipWeight);
      expect(rl.state(T0 + 1).reason).toMatch(/HTTP 429.*stops and closes, which carry no request weight, still go/);
      expect(rl.admit(ORDER, T0 + 1, 'protective')).toEqual({ kind: 'go' });
      expect(rl.admit(ORDER, T0 + 2, 'protective')).toEqual({ kind: 'go' });
      expect(rl.admit(ORDER, T0 + 3, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 10_000 });
    });

    it('a 429 for a weightless request ends that for the rest of its hold: Binance counts them after all', () => {
      const rl = new RateLimiter();
      rl.observeResponse(429, 30, T0, ipWeight);
      rl.observeResponse(429, 2, T0 + 5, { code: -1003, weight: 0 });
      expect(rl.admit(ORDER, T0 + 6, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 2_005 });
      expect(rl.state(T0 + 6).reason).not.toMatch(/still go/);
      // Past the second hold, the first one (weight only) still holds weighted requests, not the stop.
      expect(rl.admit(ORDER, T0 + 2_005, 'protective')).toEqual({ kind: 'go' });
      expect(rl.admit(W(1), T0 + 2_006, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 30_000 });
    });

    it.each([
      ['too many orders (-1015)', { code: -1015, weight: 0 }],
      ['no readable code', { weight: 5 }],
      ['no detail at all', undefined],
    ] as const)('any other 429 (%s) holds stops too', (_what, refused) => {
      const rl = new RateLimiter();
      rl.observeResponse(429, 30, T0, refused);
      expect(rl.admit(ORDER, T0 + 1, 'protective')).toMatchObject({ kind: 'wait', untilMs: T0 + 30_000 });
    });

    it('a 418 ban still stops everything', () => {
      const rl = new RateLimiter();
      rl.observeResponse(429, 30, T0, ipWeight);
      rl.observeResponse(418, 60, T0 + 1);
      expect(rl.admit(ORDER, T0 + 2, 'protective').kind).toBe('banned');
    });
  });

  it('other statuses change nothing', () => {
    const rl = new RateLimiter();
    for (const status of [200, 400, 403, 500, 503]) rl.observeResponse(status, 30, T0);
    expect(rl.admit(W(1), T0 + 1, 'protective')).toEqual({ kind: 'go' });
  });
});

describe('endpoint weights (fact sheet §3)', () => {
  it.each([
    ['GET', '/fapi/v1/time', {}, { weight: 1, orders: 0 }],
    ['POST', '/fapi/v1/order', {}, { weight: 0, orders: 1 }],
    ['post', '/fapi/v1/order', {}, { weight: 0, orders: 1 }],
    ['PUT', '/fapi/v1/order', {}, { weight: 1, orders: 1 }],
    ['POST', '/fapi/v1/algoOrder', {}, { weight: 0, orders: 1 }],
    ['POST', '/fapi/v1/batchOrders', {}, { weight: 5, orders: 5, orders1m: 1 }],
    ['GET', '/fapi/v1/openOrders', { symbol: 'BTCUSDT' }, { weight: 1, orders: 0 }],
    ['GET', '/fapi/v1/openOrders', {}, { weight: 40, orders: 0 }],
    ['GET', '/fapi/v1/openAlgoOrders', {}, { weight: 40, orders: 0 }],
    ['GET', '/fapi/v1/premiumIndex', { symbol: 'BTCUSDT' }, { weight: 1, orders: 0 }],
    ['GET', '/fapi/v1/premiumIndex', {}, { weight: 10, orders: 0 }],
    ['GET', '/fapi/v1/ticker/bookTicker', [['symbol', 'ETHUSDT']], { weight: 2, orders: 0 }],
    ['GET', '/fapi/v1/ticker/bookTicker', [], { weight: 5, orders: 0 }],
    ['GET', '/fapi/v2/ticker/price', { symbol: 'BTCUSDT' }, { weight: 1, orders: 0 }],
    ['GET', '/fapi/v2/ticker/price', {}, { weight: 2, orders: 0 }],
    ['GET', '/fapi/v1/depth', { symbol: 'BTCUSDT', limit: 5 }, { weight: 2, orders: 0 }],
    ['GET', '/fapi/v1/depth', { symbol: 'BTCUSDT', limit: 50 }, { weight: 2, orders: 0 }],
    ['GET', '/fapi/v1/depth', { symbol: 'BTCUSDT', limit: 100 }, { weight: 5, orders: 0 }],
    ['GET', '/fapi/v1/depth', { symbol: 'BTCUSDT' }, { weight: 10, orders: 0 }],
    ['GET', '/fapi/v1/depth', { symbol: 'BTCUSDT', limit: '1000' }, { weight: 20, orders: 0 }],
    ['GET', '/fapi/v1/positionSide/dual', {}, { weight: 30, orders: 0 }],
    ['GET', '/fapi/v1/commissionRate', { symbol: 'BTCUSDT' }, { weight: 20, orders: 0 }],
    ['GET', '/fapi/v3/account', {}, { weight: 5, orders: 0 }],
  ] as const)('%s %s %j → %j', (method, path, params, expected) => {
    expect(weightOf(method, path, params)).toEqual(expected);
  });

  it('the table holds the worst case for parameter-dependent endpoints', () => {
    expect(ENDPOINT_WEIGHTS['GET /fapi/v1/openOrders']).toEqual({ weight: 40, orders: 0 });
    expect(ENDPOINT_WEIGHTS['GET /fapi/v1/depth']).toEqual({ weight: 20, orders: 0 });
    expect(ENDPOINT_WEIGHTS['POST /fapi/v1/order']).toEqual({ weight: 0, orders: 1 });
  });

  it('every table entry agrees with weightOf without params', () => {
    for (const [key, cost] of Object.entries(ENDPOINT_WEIGHTS)) {
      const [method, path] = key.split(' ') as [string, string];
      const viaFn = weightOf(method, path);
      if (path === '/fapi/v1/depth') expect(viaFn.weight).toBe(10);
      else expect(viaFn).toEqual(cost);
    }
  });

  it('throws for an endpoint it cannot account for', () => {
    expect(() => weightOf('GET', '/fapi/v9/unknown')).toThrow(/no rate-limit weight/);
  });
});

describe('admit: how long a request waits for the limiter', () => {
  /** A fake scheduler on the server clock: timers fire in order as the test advances time. */
  function fakeClock(startMs: number) {
    let now = startMs;
    const waits: number[] = [];
    return {
      waits,
      deps: {
        serverNow: () => now,
        scheduler: {
          after: (ms: number, fn: () => void) => {
            waits.push(ms);
            now += ms;
            queueMicrotask(fn);
            return () => undefined;
          },
        },
      },
    };
  }

  it('a routine request is refused when the window is more than maxWait away; a protective one waits for it', async () => {
    const rl = new RateLimiter();
    rl.observeHeaders({ 'x-mbx-order-count-1m': '1080' }, T0 + 48_000);
    const routine = fakeClock(T0 + 48_000);
    const refusedOutcome = await admit(rl, ORDER, 'routine', routine.deps, 3_000);
    expect(refusedOutcome).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(routine.waits).toEqual([]);
    const protective = fakeClock(T0 + 48_000);
    await expect(admit(rl, ORDER, 'protective', protective.deps, 3_000)).resolves.toBeNull();
    expect(protective.waits).toEqual([12_001]);
    expect(rl.state(T0 + 60_001).orders1m.used).toBe(1);
  });

  it('a ban refuses protective requests at once', async () => {
    const rl = new RateLimiter();
    rl.observeResponse(418, 30, T0);
    const clock = fakeClock(T0 + 1);
    await expect(admit(rl, ORDER, 'protective', clock.deps, 3_000)).resolves.toMatchObject({ ok: false, error: { code: 'BANNED' } });
    expect(clock.waits).toEqual([]);
  });
});
