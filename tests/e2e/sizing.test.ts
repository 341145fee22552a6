import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startExchange, type SimExchange } from '../../sim/server.ts';
import { eventually, launchExtension, setUpPaperAccount, strikeOrders, type ExtensionBrowser } from './harness.ts';

/**
 * Each sizing mode, typed into the panel, previews and then places the quantity worked out here by hand from the
 * exchange's own numbers (BTCUSDT: step 0.001, ask = last + one 0.1 tick).
 */
describe('sizing modes in the panel', () => {
  let exchange: SimExchange;
  let browser: ExtensionBrowser;
  let page: Page;
  const ASK = 50_000.1;

  const ourOrders = () => strikeOrders(exchange);

  beforeAll(async () => {
    exchange = await startExchange({ port: 0, autoMarket: false });
    exchange.control.setPrice('BTCUSDT', '50000');
    browser = await launchExtension();
    page = await setUpPaperAccount(browser, exchange);
  });
  afterAll(async () => {
    await browser?.close();
    await exchange?.stop();
  });

  /** floor(x / 0.001) × 0.001 as the exchange writes it. */
  const floorStep = (x: number): string => (Math.floor(Math.round(x * 1e9) / 1e6) / 1000).toString();

  it.each([
    ['quantity', '0.013', '', () => '0.013'],
    ['notional', '1000', '', () => floorStep(1000 / ASK)],
    ['risk', '100', '2', () => floorStep(100 / (ASK * 0.02))],
    ['balancePercent', '10', '', (available: number) => floorStep((available * 0.1 * 10) / ASK)],
  ] as const)('%s %s (stop %s %%) buys the quantity the preview shows', async (mode, size, stop, expected) => {
    await page.selectOption('#ticket-size-mode', mode);
    await page.fill('#ticket-size', size);
    await page.fill('#ticket-stop', stop);
    await page.fill('#ticket-leverage', '10');
    // The available balance moves with every fee; the preview and the balance it was computed from are read together.
    const read = async () => ({
      preview: (await page.textContent('#preview-buy-quantity'))?.trim(),
      balance: Number((await page.textContent('#ticket-balance'))?.replace(/[^0-9.]/g, '')),
    });
    const { preview: want } = await eventually(read, (r) => r.preview === expected(r.balance));
    if (want === undefined) throw new Error('no preview');

    const before = ourOrders().length;
    await page.click('#buy');
    // The ack may be overwritten at once by the stop's notice, so the exchange's ledger is the witness.
    await eventually(() => ourOrders().length, (n) => n > before);
    const placed = ourOrders().slice(before);
    expect(placed).toHaveLength(1);
    expect(placed[0]?.data.quantity).toBe(want);

    await page.click('#flatten');
    await page.waitForFunction(() => /Flattened/.test(document.getElementById('status')?.textContent ?? ''));
  });

  it('refuses a size under one step with the step in the message, and sends nothing', async () => {
    await page.selectOption('#ticket-size-mode', 'quantity');
    await page.fill('#ticket-size', '0.0004');
    await page.fill('#ticket-stop', '');
    const before = ourOrders().length;
    await eventually(() => page.textContent('#ticket-error'), (t) => (t ?? '').includes('0.001'));
    await page.click('#buy');
    await new Promise((r) => setTimeout(r, 300));
    expect(ourOrders().length).toBe(before);
  });
});
