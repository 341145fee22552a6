import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startExchange, type SimExchange } from '../../sim/server.ts';
import { demoAccount, eventually, launchExtension, setUpPaperAccount, strikeOrders, type ExtensionBrowser } from './harness.ts';

describe('trading in real Chromium against the local exchange', () => {
  let exchange: SimExchange;
  let browser: ExtensionBrowser;
  let page: Page;

  const demo = () => demoAccount(exchange);
  const ourOrders = () => strikeOrders(exchange);
  const openPosition = (symbol: string) => demo().positions.find((p) => p.symbol === symbol && Number(p.positionAmt) !== 0);
  /** The order ids reserved in the worker's session storage for `symbol`. */
  const reservations = (symbol: string) =>
    browser.worker.evaluate(async (s) => {
      const all = await chrome.storage.session.get(null);
      return Object.entries(all)
        .filter(([k]) => k.startsWith('orders.reserved.v1:'))
        .map(([, v]) => JSON.parse(String(v)) as { intentId: string; symbol: string; clientOrderId: string })
        .filter((r) => r.symbol === s);
    }, symbol);

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

  it('a click on BUY places exactly one order of the quantity the ticket showed; the position appears, protected', async () => {
    await page.fill('#ticket-size', '0.01');
    await page.selectOption('#ticket-size-mode', 'quantity');
    await eventually(() => page.textContent('#preview-buy-quantity'), (t) => t?.trim() === '0.01');
    const before = ourOrders().length;
    // The next BTCUSDT order's id is reserved in storage before the click, so its journal entry need not be
    // waited for on the click's path.
    const [reserved] = await eventually(() => reservations('BTCUSDT'), (r) => r.length === 1);

    await page.click('#buy');
    // The ack is shown in the status line (until the stop's notice replaces it) and as the latency in the action bar.
    await page.waitForFunction(() => /^last \d/.test(document.getElementById('bar-latency')?.textContent ?? ''));
    await eventually(() => ourOrders().length, (n) => n > before);

    const placed = ourOrders().slice(before);
    expect(placed).toHaveLength(1);
    expect(placed[0]?.data).toMatchObject({ side: 'BUY', type: 'MARKET', quantity: '0.01', clientOrderId: reserved?.clientOrderId });
    // And the next one is reserved in its turn.
    await eventually(() => reservations('BTCUSDT'), (r) => r.some((x) => x.intentId !== reserved?.intentId));
    await page.waitForSelector('#pos-BTCUSDT-BOTH', { state: 'attached' });

    // The safety stop (−10 % of entry, no stop % on the ticket) and the three ASL trailing members are resident.
    const algos = await eventually(() => demo().openAlgoOrders, (a) => a.length === 4);
    const stop = algos.find((a) => a.orderType === 'STOP_MARKET');
    expect(stop).toMatchObject({ side: 'SELL', quantity: '0.01' });
    expect(Number(stop?.triggerPrice)).toBeGreaterThan(44_900);
    expect(Number(stop?.triggerPrice)).toBeLessThan(45_100);
    expect(algos.filter((a) => a.orderType === 'TRAILING_STOP_MARKET').map((a) => a.callbackRate).sort()).toEqual(['1', '1.5', '2']);
    // The stop's journal line says how long the worker held the fill before the stop left (its own time).
    const journal = await eventually(
      () => page.evaluate(() => chrome.runtime.sendMessage({ type: 'journal.query', text: 'STOP_MARKET', limit: 50 })) as Promise<{ ok: boolean; value: Array<{ kind: string; text: string; latency?: Record<string, number> }> }>,
      (r) => r.ok && r.value.some((e) => e.kind === 'stop' && e.text.startsWith('STOP_MARKET') && e.text.endsWith('accepted')),
    );
    const line = journal.value.find((e) => e.kind === 'stop' && e.text.startsWith('STOP_MARKET') && e.text.endsWith('accepted'));
    expect(line?.text).toBe(`STOP_MARKET SELL 0.01 BTCUSDT ${stop?.triggerPrice} accepted`);
    expect(line?.latency?.['sent']).toBeGreaterThanOrEqual(0);
  });

  it('the ASL tiers carry the stop up and a pullback closes the position, leaving no protective order', async () => {
    expect(openPosition('BTCUSDT')).toBeDefined();
    for (const price of ['50600', '51100', '51600', '52200', '52400']) exchange.control.setPrice('BTCUSDT', price);
    // Tier 3 (+4 %) trails the best mark (52400) by 1 %: 51876. A pullback to 51800 crosses it.
    exchange.control.setPrice('BTCUSDT', '51800');
    await eventually(() => openPosition('BTCUSDT'), (p) => p === undefined);
    await eventually(() => demo().openAlgoOrders.length, (n) => n === 0);
    await page.waitForSelector('#pos-BTCUSDT-BOTH', { state: 'detached' });
  });

  it('flatten leaves no open order and no position', async () => {
    const before = ourOrders().length;
    await page.click('#sell');
    await eventually(() => ourOrders().length, (n) => n === before + 1);
    await eventually(() => demo().openAlgoOrders.length, (n) => n === 4);
    await page.click('#flatten');
    await page.waitForFunction(() => /Flattened: 1 position/.test(document.getElementById('status')?.textContent ?? ''));
    await eventually(() => demo(), (a) => a.positions.every((p) => Number(p.positionAmt) === 0) && a.openOrders.length === 0 && a.openAlgoOrders.length === 0);
  });

  it('minimize and restore keep the trading state', async () => {
    await page.click('#minimize');
    await page.waitForFunction(() => document.getElementById('app')?.classList.contains('minimized'));
    await expect(page.isVisible('#buy')).resolves.toBe(true);
    await page.reload();
    await page.waitForSelector('main[aria-busy="false"]');
    await expect(page.locator('#app').getAttribute('class')).resolves.toContain('minimized');
    await page.click('#minimize');
    await expect(page.inputValue('#ticket-size')).resolves.toBe('0.01');
  });
});
