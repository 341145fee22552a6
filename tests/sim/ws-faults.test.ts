import { afterEach, describe, expect, it } from 'vitest';
import { connect, markPrice, startHarness, type Harness } from './ws-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('fault switches', () => {
  it('dropConnections destroys matching sockets without a close frame and spares the rest', async () => {
    h = await startHarness();
    const market = await connect(h.url('/market/ws/btcusdt@markPrice@1s'));
    const api = await connect(h.url('/ws-fapi/v1'));
    h.ws.faults.dropConnections((path) => path.startsWith('/market'));
    expect(await market.closed).toBe(1006);
    expect(await api.call({ id: 1, method: 'ticker.price', params: { symbol: 'BTCUSDT' } })).toMatchObject({ status: 200 });
    expect(h.ws.connectionCount()).toBe(1);
    api.close();
  });

  it('a silenced path receives nothing until the window ends; other paths keep flowing', async () => {
    h = await startHarness();
    const market = await connect(h.url('/market/ws/btcusdt@markPrice@1s'));
    const combined = await connect(h.url('/market/stream?streams=btcusdt@markPrice@1s'));
    const pub = await connect(h.url('/public/ws/btcusdt@bookTicker'));
    h.ws.faults.silence('/market/ws', h.clock.t + 1000);
    expect(h.ws.faults.isSilenced('/market/ws/btcusdt@markPrice@1s', h.clock.t)).toBe(true);
    expect(h.ws.faults.isSilenced('/public/ws/btcusdt@bookTicker', h.clock.t)).toBe(false);
    h.emit(markPrice('BTCUSDT', '1'));
    expect(await combined.next()).toMatchObject({ data: { p: '1' } });
    h.clock.t += 1000;
    expect(h.ws.faults.isSilenced('/market/ws/btcusdt@markPrice@1s', h.clock.t)).toBe(false);
    h.emit(markPrice('BTCUSDT', '2'));
    expect(await market.next()).toMatchObject({ p: '2' });
    market.close();
    combined.close();
    pub.close();
  });

  it('silencing the WS API drops its responses (the request still runs)', async () => {
    h = await startHarness();
    const api = await connect(h.url('/ws-fapi/v1'));
    h.ws.faults.silence('/ws-fapi', h.clock.t + 1);
    api.send({ id: 1, method: 'ticker.price', params: { symbol: 'BTCUSDT' } });
    const nextReply = api.call({ id: 2, method: 'ticker.price', params: { symbol: 'ETHUSDT' } });
    await new Promise<void>((resolve) => api.ws.once('pong', () => resolve()).ping());
    expect(h.calls).toHaveLength(2);
    h.clock.t += 1;
    api.send({ id: 3, method: 'ticker.price', params: { symbol: 'BTCUSDT' } });
    expect(await nextReply).toMatchObject({ id: 3 });
    api.close();
  });
});

describe('heartbeat and lifetime (fact sheet §7, §9)', () => {
  it('the server pings on the configured interval', async () => {
    h = await startHarness({ pingIntervalMs: 20 });
    const c = await connect(h.url('/market/ws/0'));
    await new Promise<void>((resolve) => c.ws.once('ping', () => resolve()));
    c.close();
  });

  it('a client that never answers pings is dropped after the pong timeout', async () => {
    h = await startHarness({ pingIntervalMs: 20, pongTimeoutMs: 120 });
    const c = await connect(h.url('/market/ws/0'), { autoPong: false });
    expect(await c.closed).toBe(1006);
  });

  it('a client that answers pings outlives the pong timeout', async () => {
    h = await startHarness({ pingIntervalMs: 20, pongTimeoutMs: 120, maxLifetimeMs: 400 });
    const c = await connect(h.url('/ws-fapi/v1'));
    const opened = Date.now();
    expect(await c.closed).toBe(1000);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(300);
  });

  it('no pings while silenced, so an answering client still times out', async () => {
    h = await startHarness({ pingIntervalMs: 20, pongTimeoutMs: 120 });
    h.ws.faults.silence('/market', h.clock.t + 60_000);
    const c = await connect(h.url('/market/ws/0'));
    let pings = 0;
    c.ws.on('ping', () => (pings += 1));
    expect(await c.closed).toBe(1006);
    expect(pings).toBe(0);
  });

  it('connections close after their lifetime with a normal close frame', async () => {
    h = await startHarness({ maxLifetimeMs: 50 });
    const c = await connect(h.url('/public/ws/btcusdt@bookTicker'));
    expect(await c.closed).toBe(1000);
  });

  it('close() ends every connection and detaches from the server', async () => {
    h = await startHarness();
    const c = await connect(h.url('/market/ws/0'));
    h.ws.close();
    expect(await c.closed).toBe(1006);
    expect(h.server.listenerCount('upgrade')).toBe(0);
  });
});
