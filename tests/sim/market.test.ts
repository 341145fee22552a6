import { describe, expect, it, vi } from 'vitest';
import type { SimEvent } from '../../sim/contracts.ts';
import { startExchange } from '../../sim/server.ts';
import { Client, obj } from './rest-helpers.ts';

describe('synthetic market', () => {
  it('replays the same price path for the same seed, a different one for another seed', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const ex = await startExchange({ port: 0, seed, autoMarket: false, symbols: ['BTCUSDT', 'SOLUSDT'] });
      const out: string[] = [];
      for (let i = 0; i < 50; i++) {
        ex.control.tick();
        const s = ex.control.state()['markets'] as { last: string; mark: string }[];
        out.push(s.map((m) => `${m.last}/${m.mark}`).join(','));
      }
      await ex.stop();
      return out;
    };
    const a = await run(11);
    expect(await run(11)).toEqual(a);
    expect(await run(12)).not.toEqual(a);
    // Prices stay on the tick grid (BTCUSDT 0.10, SOLUSDT 0.01).
    for (const row of a) for (const p of row.split(/[,/]/)) expect(p).toMatch(/^\d+(\.\d{1,2})?$/);
  });

  it('pushes bookTicker on change and an aggTrade per price update with Binance field names (§7)', async () => {
    const ex = await startExchange({ port: 0, autoMarket: false, symbols: ['ETHUSDT'] });
    const events: SimEvent[] = [];
    ex.control.subscribe((e) => events.push(e));
    ex.control.setPrice('ETHUSDT', '3000');
    const book = events.find((e) => e.kind === 'market' && e.stream === 'ethusdt@bookTicker');
    expect(book?.payload).toMatchObject({ e: 'bookTicker', s: 'ETHUSDT', b: '2999.99', B: '15', a: '3000.01', A: '15' });
    expect(Number.isInteger(book?.payload['u'])).toBe(true);
    const trade = events.find((e) => e.kind === 'market' && e.stream === 'ethusdt@aggTrade');
    expect(Object.keys(trade?.payload ?? {}).sort()).toEqual(['E', 'T', 'a', 'e', 'f', 'l', 'm', 'nq', 'p', 'q', 's']);
    const c = new Client(ex, ex.demo.apiKey, ex.demo.apiSecret);
    expect(obj(await c.get('/fapi/v1/ticker/bookTicker', { symbol: 'ETHUSDT' }))).toMatchObject({ bidPrice: '2999.99', askPrice: '3000.01' });
    expect(obj(await c.get('/fapi/v2/ticker/price', { symbol: 'ETHUSDT' }))).toMatchObject({ symbol: 'ETHUSDT', price: '3000', time: expect.any(Number) });
    await ex.stop();
  });

  it('walks on its own when autoMarket is on', async () => {
    const ex = await startExchange({ port: 0, marketTickMs: 5, symbols: ['BTCUSDT'] });
    const first = ex.control.state()['markets'];
    await vi.waitFor(() => expect(ex.control.state()['markets']).not.toEqual(first), { timeout: 2000, interval: 10 });
    await ex.stop();
  });
});
