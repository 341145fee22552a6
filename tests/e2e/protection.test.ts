import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startExchange, type SimExchange } from '../../sim/server.ts';
import { demoAccount, eventually, launchExtension, setUpPaperAccount, TEST_PASSWORD } from './harness.ts';

/**
 * Protection lives on the exchange: it must hold while the worker is stopped and while the browser is closed, and
 * whatever is left over must be cleaned up when Strike comes back.
 */
describe('protection survives the worker and the browser', () => {
  let exchange: SimExchange;
  const profileDir = mkdtempSync(join(tmpdir(), 'strike-e2e-keep-'));

  const demo = () => demoAccount(exchange);
  const btcPosition = () => demo().positions.find((p) => p.symbol === 'BTCUSDT' && Number(p.positionAmt) !== 0);

  async function buyProtected(page: Page): Promise<void> {
    exchange.control.setPrice('BTCUSDT', '50000');
    await page.fill('#ticket-size', '0.01');
    await eventually(() => page.textContent('#preview-buy-quantity'), (t) => t?.trim() === '0.01');
    await page.click('#buy');
    await eventually(() => demo().openAlgoOrders.length, (n) => n === 4);
  }

  /** Up through every tier to 52400, then a pullback under tier 3's 1 % trail (51876). */
  function runUpAndPullBack(): void {
    for (const price of ['50600', '51100', '51600', '52200', '52400', '51800']) exchange.control.setPrice('BTCUSDT', price);
  }

  beforeAll(async () => {
    exchange = await startExchange({ port: 0, autoMarket: false });
  });
  afterAll(async () => {
    await exchange?.stop();
    rmSync(profileDir, { recursive: true, force: true });
  });

  it('with the worker stopped mid-trade: the exchange trails and closes, the restarted worker leaves no order behind', async () => {
    const browser = await launchExtension();
    try {
      const page = await setUpPaperAccount(browser, exchange);
      await buyProtected(page);
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      runUpAndPullBack();
      await eventually(btcPosition, (p) => p === undefined);
      // The next event wakes the worker; it resumes the session and reconciles: the position is flat, so the
      // remaining trailing members and the stop are canceled.
      await page.evaluate(() => chrome.runtime.sendMessage({ type: 'trading.snapshot' }));
      await eventually(() => demo().openAlgoOrders.length, (n) => n === 0, 15_000);
      await cdp.detach();
    } finally {
      await browser.close();
    }
  });

  it('a position closed while the restarted worker is still opening its user stream: its stops go at once, not at the next periodic re-read', async () => {
    exchange.control.reset();
    const browser = await launchExtension();
    try {
      const page = await setUpPaperAccount(browser, exchange);
      await buyProtected(page);
      const stop = demo().openAlgoOrders.find((o) => o.clientAlgoId.startsWith('sl-'));
      expect(stop).toBeDefined();
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      // The restarted worker's user stream opens 2.5 s late; the stop triggers 0.8 s into that, and the events
      // saying so are never delivered. A worker that read the account before its stream listened still sees the
      // position and keeps the three trailing members resident until its periodic re-read, 20 s on.
      exchange.control.addFault({ kind: 'latency', ms: 2_500, match: { method: 'POST', pathPrefix: '/fapi/v1/listenKey' } });
      const wake = page.evaluate(() => chrome.runtime.sendMessage({ type: 'trading.snapshot' }));
      await new Promise((r) => setTimeout(r, 800));
      exchange.control.setPrice('BTCUSDT', String(Math.floor(Number(stop?.triggerPrice ?? '45000')) - 500));
      await eventually(btcPosition, (p) => p === undefined);
      expect(demo().openAlgoOrders.length).toBe(3);
      await eventually(() => demo().openAlgoOrders.length, (n) => n === 0, 8_000);
      await wake;
      await cdp.detach();
    } finally {
      await browser.close();
    }
  });

  it('with the browser closed after entry: the stop still triggers on the exchange, and the next start cleans up', async () => {
    exchange.control.reset();
    let browser = await launchExtension({ profileDir });
    const page = await setUpPaperAccount(browser, exchange);
    await buyProtected(page);
    await browser.close();

    runUpAndPullBack();
    expect(btcPosition()).toBeUndefined();
    // Members that did not fire stay resident until Strike runs again: nothing can cancel them while it is closed.
    expect(demo().openAlgoOrders.length).toBeGreaterThan(0);

    browser = await launchExtension({ profileDir });
    try {
      const again = await browser.openPanel();
      // The browser restart cleared the session: unlock, then the reconcile cancels the orphans.
      await again.fill('#unlock-password', TEST_PASSWORD);
      await again.click('#unlock-submit');
      await again.waitForSelector('#vault-bar:not([hidden])');
      await eventually(() => demo().openAlgoOrders.length, (n) => n === 0, 15_000);
    } finally {
      await browser.close();
    }
  });
});
