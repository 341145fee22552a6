import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bookTicker, connect, markPrice, refusedStatus, SYMBOLS, startHarness, type Harness } from './ws-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** A LIST_SUBSCRIPTIONS round trip: anything the server would have pushed before it arrives first. */
const LIST = { method: 'LIST_SUBSCRIPTIONS', id: 99 };

describe('market streams: raw and combined', () => {
  it('raw /market/ws/<stream> delivers the payload as is', async () => {
    const c = await connect(h.url('/market/ws/btcusdt@markPrice@1s'));
    h.emit(markPrice('BTCUSDT', '50000.1'));
    expect(await c.next()).toEqual(markPrice('BTCUSDT', '50000.1').payload);
    c.close();
  });

  it('raw path with several streams delivers each', async () => {
    const c = await connect(h.url('/market/ws/btcusdt@markPrice@1s/ethusdt@markPrice@1s'));
    h.emit(markPrice('ETHUSDT', '3000'));
    h.emit(markPrice('BTCUSDT', '50000'));
    expect(await c.next()).toMatchObject({ s: 'ETHUSDT', p: '3000' });
    expect(await c.next()).toMatchObject({ s: 'BTCUSDT', p: '50000' });
    c.close();
  });

  it('combined /stream?streams=a/b wraps payloads as {stream, data}', async () => {
    const c = await connect(h.url('/market/stream?streams=btcusdt@markPrice@1s/btcusdt@aggTrade'));
    const trade = { kind: 'market' as const, stream: 'btcusdt@aggTrade', payload: { e: 'aggTrade', s: 'BTCUSDT', p: '1', q: '2' } };
    h.emit(trade);
    h.emit(markPrice('BTCUSDT', '7'));
    expect(await c.next()).toEqual({ stream: 'btcusdt@aggTrade', data: trade.payload });
    expect(await c.next()).toEqual({ stream: 'btcusdt@markPrice@1s', data: markPrice('BTCUSDT', '7').payload });
    c.close();
  });

  it('upper-case symbols in the URL are normalised to the lower-case stream name', async () => {
    const c = await connect(h.url('/public/ws/BTCUSDT@bookTicker'));
    h.emit(bookTicker('BTCUSDT'));
    expect(await c.next()).toMatchObject({ e: 'bookTicker', s: 'BTCUSDT' });
    c.close();
  });

  it('only the streams subscribed are delivered', async () => {
    const c = await connect(h.url('/market/ws/btcusdt@markPrice@1s'));
    h.emit(markPrice('ETHUSDT', '1'));
    h.emit(markPrice('BTCUSDT', '1', 'btcusdt@markPrice'));
    expect(await c.call(LIST)).toEqual({ result: ['btcusdt@markPrice@1s'], id: 99 });
    c.close();
  });
});

describe('path routing (2026 split, fact sheet §0.2)', () => {
  it('a /public stream subscribed on /market delivers nothing, and vice versa', async () => {
    const market = await connect(h.url('/market/ws/btcusdt@bookTicker'));
    const pub = await connect(h.url('/public/ws/btcusdt@markPrice@1s'));
    h.emit(bookTicker('BTCUSDT'));
    h.emit(markPrice('BTCUSDT', '1'));
    expect(await market.call(LIST)).toEqual({ result: ['btcusdt@bookTicker'], id: 99 });
    expect(await pub.call(LIST)).toEqual({ result: ['btcusdt@markPrice@1s'], id: 99 });
    market.close();
    pub.close();
  });

  it('the bare /ws root delivers /public streams only', async () => {
    const c = await connect(h.url('/ws/btcusdt@markPrice@1s/btcusdt@bookTicker'));
    h.emit(markPrice('BTCUSDT', '1'));
    h.emit(bookTicker('BTCUSDT'));
    expect(await c.next()).toMatchObject({ e: 'bookTicker' });
    expect(await c.call(LIST)).toMatchObject({ id: 99 });
    c.close();
  });

  it('ccxt-style /market/ws/0 ignores the segment and takes SUBSCRIBE', async () => {
    const c = await connect(h.url('/market/ws/0'));
    expect(await c.call({ method: 'SUBSCRIBE', params: ['btcusdt@markPrice@1s', '!markPrice@arr@1s'], id: 1 })).toEqual({ result: null, id: 1 });
    expect(await c.call({ method: 'LIST_SUBSCRIPTIONS', id: 2 })).toEqual({ result: ['btcusdt@markPrice@1s', '!markPrice@arr@1s'], id: 2 });
    h.emit(markPrice('BTCUSDT', '9'));
    expect(await c.next()).toMatchObject({ p: '9' });
    h.emit({ kind: 'market', stream: '!markPrice@arr@1s', payload: { data: [] } });
    expect(await c.next()).toEqual({ data: [] });
    expect(await c.call({ method: 'UNSUBSCRIBE', params: ['btcusdt@markPrice@1s'], id: 3 })).toEqual({ result: null, id: 3 });
    h.emit(markPrice('BTCUSDT', '10'));
    expect(await c.call(LIST)).toEqual({ result: ['!markPrice@arr@1s'], id: 99 });
    c.close();
  });

  it('unknown paths refuse the upgrade with 404', async () => {
    expect(await refusedStatus(h.url('/nope/ws/btcusdt@aggTrade'))).toBe(404);
  });
});

describe('live control messages (fact sheet §7)', () => {
  it('SET_PROPERTY combined switches the payload format; GET_PROPERTY reports it', async () => {
    const c = await connect(h.url('/market/ws/btcusdt@markPrice@1s'));
    expect(await c.call({ method: 'GET_PROPERTY', params: ['combined'], id: 1 })).toEqual({ result: false, id: 1 });
    expect(await c.call({ method: 'SET_PROPERTY', params: ['combined', true], id: 2 })).toEqual({ result: null, id: 2 });
    expect(await c.call({ method: 'GET_PROPERTY', params: ['combined'], id: 3 })).toEqual({ result: true, id: 3 });
    h.emit(markPrice('BTCUSDT', '5'));
    expect(await c.next()).toMatchObject({ stream: 'btcusdt@markPrice@1s', data: { p: '5' } });
    c.close();
  });

  it('accepts the string ids Binance\'s own connector sends and echoes them', async () => {
    const c = await connect(h.url('/market/ws/0'));
    const id = '0123456789abcdef0123456789abcdef';
    expect(await c.call({ method: 'LIST_SUBSCRIPTIONS', id })).toEqual({ result: [], id });
    c.close();
  });

  it.each([
    ['invalid JSON', '{"method":', 3, null],
    ['id not an unsigned integer', { method: 'LIST_SUBSCRIPTIONS', id: -1 }, 2, null],
    ['string id with a space', { method: 'LIST_SUBSCRIPTIONS', id: 'a b' }, 2, null],
    ['string id over 36 characters', { method: 'LIST_SUBSCRIPTIONS', id: 'a'.repeat(37) }, 2, null],
    ['fractional id', { method: 'LIST_SUBSCRIPTIONS', id: 1.5 }, 2, null],
    ['unknown method', { method: 'PING', id: 4 }, 2, 4],
    ['too many params', { method: 'SET_PROPERTY', params: ['combined', true, 1], id: 5 }, 2, 5],
    ['property name not a string', { method: 'GET_PROPERTY', params: [1], id: 6 }, 2, 6],
    ['unknown property', { method: 'SET_PROPERTY', params: ['compressed', true], id: 7 }, 0, 7],
    ['bad value type', { method: 'SET_PROPERTY', params: ['combined', 'yes'], id: 8 }, 1, 8],
    ['unknown stream name', { method: 'SUBSCRIBE', params: ['btcusdt@markPrice', 'dogeusdt@markPrice'], id: 9 }, 2, 9],
    ['listenKey on a market path', { method: 'SUBSCRIBE', params: ['abcDEF123'], id: 10 }, 2, 10],
  ])('%s answers the documented error code', async (_name, request, code, id) => {
    const c = await connect(h.url('/market/ws/0'));
    const reply = (await c.call(request)) as { error: { code: number; msg: string }; id: unknown };
    expect(reply.error.code).toBe(code);
    expect(reply.error.msg.length).toBeGreaterThan(0);
    expect(reply.id).toBe(id);
    expect(await c.call(LIST)).toEqual({ result: [], id: 99 });
    c.close();
  });

  it('caps a connection at 1024 streams', async () => {
    const kinds = ['aggTrade', 'markPrice', 'markPrice@1s', 'miniTicker', 'ticker', 'kline_1m', 'kline_5m', 'kline_1h', 'kline_4h', 'kline_1d', 'forceOrder', 'compositeIndex'];
    const names = SYMBOLS.flatMap((s) => kinds.map((k) => `${s.toLowerCase()}@${k}`)).slice(0, 1024);
    expect(names).toHaveLength(1024);
    const c = await connect(h.url('/market/ws/0'));
    expect(await c.call({ method: 'SUBSCRIBE', params: names, id: 1 })).toEqual({ result: null, id: 1 });
    const more = (await c.call({ method: 'SUBSCRIBE', params: ['s99usdt@kline_3d'], id: 2 })) as { error: { code: number } };
    expect(more.error.code).toBe(2);
    expect(await c.call({ method: 'SUBSCRIBE', params: [names[0]], id: 3 })).toEqual({ result: null, id: 3 });
    c.close();
  });
});

describe('incoming message limit (10 per second, fact sheet §7)', () => {
  it('ten messages in a second are answered; the eleventh disconnects', async () => {
    const c = await connect(h.url('/market/ws/0'));
    for (let i = 0; i < 10; i++) expect(await c.call({ method: 'LIST_SUBSCRIPTIONS', id: i })).toEqual({ result: [], id: i });
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 10 });
    expect(await c.closed).toBe(1008);
  });

  it('the window slides: after a second ten more are allowed', async () => {
    const c = await connect(h.url('/market/ws/0'));
    for (let i = 0; i < 10; i++) await c.call({ method: 'LIST_SUBSCRIPTIONS', id: i });
    h.rateClock.t += 1000;
    for (let i = 10; i < 20; i++) expect(await c.call({ method: 'LIST_SUBSCRIPTIONS', id: i })).toEqual({ result: [], id: i });
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.close();
  });
});
