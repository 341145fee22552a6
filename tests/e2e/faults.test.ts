import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startExchange, type SimExchange } from '../../sim/server.ts';
import { demoAccount, eventually, launchExtension, setUpPaperAccount, strikeOrders, type ExtensionBrowser } from './harness.ts';

/**
 * "Maybe executed" in the real extension: the order reaches the exchange and runs, but no answer comes back. Strike
 * must look before it retries, end with exactly one order, and show the true outcome.
 */
describe('faults in real Chromium', () => {
  let exchange: SimExchange;
  let browser: ExtensionBrowser;
  let page: Page;

  const ourOrders = () => strikeOrders(exchange);
  const submit = () =>
    page.evaluate(() => chrome.runtime.sendMessage({ type: 'order.submit', side: 'BUY', source: 'panel', inputAtMs: Date.now() })) as Promise<{
      ok: boolean;
      value?: { status: string; clientOrderId: string; via: string };
      error?: { code: string; message: string };
    }>;

  beforeAll(async () => {
    exchange = await startExchange({ port: 0, autoMarket: false });
    exchange.control.setPrice('BTCUSDT', '50000');
    browser = await launchExtension();
    page = await setUpPaperAccount(browser, exchange);
    await page.fill('#ticket-size', '0.01');
    await eventually(() => page.textContent('#preview-buy-quantity'), (t) => t?.trim() === '0.01');
  });
  afterAll(async () => {
    await browser?.close();
    await exchange?.stop();
  });

  it('an order whose WebSocket API answer never comes is looked up, found and reported once', async () => {
    const before = ourOrders().length;
    // The request runs on the exchange; its reply (and everything else on the WS API) is swallowed for 8 s.
    exchange.control.addFault({ kind: 'wsSilence', pathPrefix: '/ws-fapi', durationMs: 8_000 });
    const answer = await submit();
    expect(answer).toMatchObject({ ok: true, value: { status: 'FILLED' } });
    const placed = ourOrders().slice(before);
    expect(placed).toHaveLength(1);
    expect(placed[0]?.data.clientOrderId).toBe(answer.value?.clientOrderId);
  });

  it('a REST order answered 408/-1007 although it executed ends with the intended exposure, even if the browser re-sent it', async () => {
    const position = () => Number(demoAccount(exchange).positions.find((p) => p.symbol === 'BTCUSDT')?.positionAmt ?? '0');
    const exposureBefore = position();
    // Take the WebSocket API away so the order goes over REST, where the fault waits.
    exchange.control.addFault({ kind: 'timeout', status: 408, executed: true, match: { method: 'POST', pathPrefix: '/fapi/v1/order' } });
    exchange.control.addFault({ kind: 'wsSilence', pathPrefix: '/ws-fapi', durationMs: 15_000 });
    exchange.control.addFault({ kind: 'wsDrop', pathPrefix: '/ws-fapi' });
    const before = exchange.control.ledger(0).lastSeq;
    const answer = await submit();
    expect(answer).toMatchObject({ ok: true, value: { status: 'FILLED', via: 'rest' } });
    const id = answer.value?.clientOrderId;
    const sends = () => exchange.control.ledger(before).entries.filter((e) => e.kind === 'order.placed' && e.data.clientOrderId === id);
    // Chromium re-sends a request by itself when a reused connection answers 408 (net::HttpNetworkTransaction,
    // RetryReason kHttpRequestTimeout): the same signed bytes, a second execution. Strike sees the second order id
    // on the user stream and closes exactly what it filled, so the trader keeps the exposure the ticket asked for.
    if (sends().length > 1) {
      expect(sends()).toHaveLength(2);
      await eventually(
        () => exchange.control.ledger(before).entries.filter((e) => e.kind === 'order.placed' && String(e.data.clientOrderId).startsWith('dup-')),
        (closes) => closes.length === 1,
      );
    }
    await eventually(position, (p) => Math.abs(p - exposureBefore - 0.01) < 1e-9);
    exchange.control.clearFaults();
  });
});
