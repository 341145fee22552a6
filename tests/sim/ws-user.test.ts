import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SimEvent } from '../../sim/contracts.ts';
import { ACCOUNT, connect, markPrice, OTHER_ACCOUNT, startHarness, type Harness } from './ws-harness.ts';

let h: Harness;
const KEY = 'lkAccount1';
const KEY2 = 'lkAccount2';

beforeEach(async () => {
  h = await startHarness();
  h.listenKeys.set(KEY, { accountId: ACCOUNT, expiresAt: h.clock.t + 3_600_000 });
  h.listenKeys.set(KEY2, { accountId: OTHER_ACCOUNT, expiresAt: h.clock.t + 3_600_000 });
});
afterEach(async () => {
  await h.close();
});

const LIST = { method: 'LIST_SUBSCRIPTIONS', id: 99 };
const user = (accountId: string, e: string, extra: Record<string, unknown> = {}): SimEvent => ({
  kind: 'user',
  accountId,
  payload: { e, E: 1, T: 1, ...extra },
});

describe('user data stream connections (fact sheet §8)', () => {
  it('/private/ws?listenKey= delivers its account events raw, and not other accounts', async () => {
    const c = await connect(h.url(`/private/ws?listenKey=${KEY}`));
    h.emit(user(OTHER_ACCOUNT, 'ORDER_TRADE_UPDATE', { o: { i: 2 } }));
    h.emit(user(ACCOUNT, 'ORDER_TRADE_UPDATE', { o: { i: 1 } }));
    expect(await c.next()).toEqual({ e: 'ORDER_TRADE_UPDATE', E: 1, T: 1, o: { i: 1 } });
    expect(await c.call(LIST)).toEqual({ result: [KEY], id: 99 });
    c.close();
  });

  it('events= filters event types', async () => {
    const c = await connect(h.url(`/private/ws?listenKey=${KEY}&events=ORDER_TRADE_UPDATE/ALGO_UPDATE`));
    h.emit(user(ACCOUNT, 'ACCOUNT_UPDATE'));
    h.emit(user(ACCOUNT, 'ALGO_UPDATE'));
    expect(await c.next()).toMatchObject({ e: 'ALGO_UPDATE' });
    expect(await c.call(LIST)).toEqual({ result: [`${KEY}@ORDER_TRADE_UPDATE`, `${KEY}@ALGO_UPDATE`], id: 99 });
    c.close();
  });

  it('/private/stream with repeated listenKey/events wraps payloads with the key as stream name', async () => {
    const c = await connect(h.url(`/private/stream?listenKey=${KEY}&events=ACCOUNT_UPDATE&listenKey=${KEY2}`));
    h.emit(user(ACCOUNT, 'ORDER_TRADE_UPDATE'));
    h.emit(user(ACCOUNT, 'ACCOUNT_UPDATE'));
    h.emit(user(OTHER_ACCOUNT, 'ORDER_TRADE_UPDATE'));
    expect(await c.next()).toEqual({ stream: KEY, data: { e: 'ACCOUNT_UPDATE', E: 1, T: 1 } });
    expect(await c.next()).toEqual({ stream: KEY2, data: { e: 'ORDER_TRADE_UPDATE', E: 1, T: 1 } });
    c.close();
  });

  it('/private/stream?streams=<listenKey> (connector-js) delivers combined', async () => {
    const c = await connect(h.url(`/private/stream?streams=${KEY}`));
    h.emit(user(ACCOUNT, 'TRADE_LITE'));
    expect(await c.next()).toEqual({ stream: KEY, data: { e: 'TRADE_LITE', E: 1, T: 1 } });
    c.close();
  });

  it('SUBSCRIBE with a listenKey on /private starts delivery; UNSUBSCRIBE stops it', async () => {
    const c = await connect(h.url('/private/ws'));
    expect(await c.call({ method: 'SUBSCRIBE', params: [KEY], id: 1 })).toEqual({ result: null, id: 1 });
    h.emit(user(ACCOUNT, 'ORDER_TRADE_UPDATE'));
    expect(await c.next()).toMatchObject({ e: 'ORDER_TRADE_UPDATE' });
    expect(await c.call({ method: 'UNSUBSCRIBE', params: [KEY], id: 2 })).toEqual({ result: null, id: 2 });
    h.emit(user(ACCOUNT, 'ORDER_TRADE_UPDATE'));
    expect(await c.call(LIST)).toEqual({ result: [], id: 99 });
    c.close();
  });

  it('SUBSCRIBE <listenKey>@<EVENT> delivers only that event type', async () => {
    const c = await connect(h.url('/private/stream'));
    expect(await c.call({ method: 'SUBSCRIBE', params: [`${KEY}@ACCOUNT_UPDATE`], id: 1 })).toEqual({ result: null, id: 1 });
    h.emit(user(ACCOUNT, 'ORDER_TRADE_UPDATE'));
    h.emit(user(ACCOUNT, 'ACCOUNT_UPDATE'));
    expect(await c.next()).toEqual({ stream: KEY, data: { e: 'ACCOUNT_UPDATE', E: 1, T: 1 } });
    expect(await c.call({ method: 'SUBSCRIBE', params: [KEY], id: 2 })).toEqual({ result: null, id: 2 });
    h.emit(user(ACCOUNT, 'ORDER_TRADE_UPDATE'));
    expect(await c.next()).toMatchObject({ data: { e: 'ORDER_TRADE_UPDATE' } });
    c.close();
  });

  it('an unknown listenKey is accepted and delivers nothing', async () => {
    const c = await connect(h.url('/private/ws?listenKey=doesNotExist'));
    h.emit(user(ACCOUNT, 'ORDER_TRADE_UPDATE'));
    expect(await c.call(LIST)).toEqual({ result: ['doesNotExist'], id: 99 });
    c.close();
  });

  it('market streams on /private deliver nothing', async () => {
    const c = await connect(h.url('/private/stream?streams=btcusdt@markPrice@1s'));
    h.emit(markPrice('BTCUSDT', '1'));
    expect(await c.call(LIST)).toEqual({ result: ['btcusdt@markPrice@1s'], id: 99 });
    c.close();
  });

  it('listenKeyExpired is forwarded on that key, then the key delivers nothing more', async () => {
    const c = await connect(h.url(`/private/ws?listenKey=${KEY}`));
    const expired = user(ACCOUNT, 'listenKeyExpired', { listenKey: KEY });
    h.listenKeys.delete(KEY);
    h.emit(expired);
    expect(await c.next()).toEqual(expired.payload);
    h.listenKeys.set(KEY, { accountId: ACCOUNT, expiresAt: h.clock.t + 1000 });
    h.emit(user(ACCOUNT, 'ORDER_TRADE_UPDATE'));
    expect(await c.call(LIST)).toEqual({ result: [], id: 99 });
    c.close();
  });

  it('listenKeyExpired for another key of the same account is not forwarded', async () => {
    const c = await connect(h.url(`/private/ws?listenKey=${KEY}`));
    h.emit(user(ACCOUNT, 'listenKeyExpired', { listenKey: 'someOtherKey' }));
    h.emit(user(ACCOUNT, 'ACCOUNT_UPDATE'));
    expect(await c.next()).toMatchObject({ e: 'ACCOUNT_UPDATE' });
    c.close();
  });

  it('a key closed or expired without notice stops delivering', async () => {
    const c = await connect(h.url(`/private/ws?listenKey=${KEY}`));
    h.clock.t += 3_600_000;
    h.emit(user(ACCOUNT, 'ORDER_TRADE_UPDATE'));
    expect(await c.call(LIST)).toEqual({ result: [], id: 99 });
    c.close();
  });
});
