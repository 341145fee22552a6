import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Worker } from 'playwright-core';
import { startExchange, type SimExchange } from '../../sim/server.ts';
import { demoAccount, eventually, launchExtension, setUpPaperAccount, TEST_PASSWORD, type ExtensionBrowser } from './harness.ts';

/** Everything a page or the worker could leak through: sent from the page with sendMessage, answered, and events. */
async function recordTraffic(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __traffic: unknown[] };
    w.__traffic = [];
    const send = chrome.runtime.sendMessage.bind(chrome.runtime) as (m: unknown) => Promise<unknown>;
    (chrome.runtime as unknown as { sendMessage: (m: unknown) => Promise<unknown> }).sendMessage = async (m: unknown) => {
      w.__traffic.push({ sent: m });
      const answer = await send(m);
      w.__traffic.push({ answer });
      return answer;
    };
    const port = chrome.runtime.connect({ name: 'strike.events' });
    port.onMessage.addListener((e: unknown) => w.__traffic.push({ event: e }));
  });
}

const submit = (page: Page) =>
  page.evaluate(() => chrome.runtime.sendMessage({ type: 'order.submit', side: 'BUY', source: 'hotkey', inputAtMs: Date.now() })) as Promise<{
    ok: boolean;
    error?: { code: string; message: string };
    value?: { status: string };
  }>;

describe('the vault in real Chromium', () => {
  let exchange: SimExchange;
  let browser: ExtensionBrowser;
  let page: Page;
  const consoleLines: string[] = [];

  beforeAll(async () => {
    exchange = await startExchange({ port: 0, autoMarket: false });
    exchange.control.setPrice('BTCUSDT', '50000');
    browser = await launchExtension();
    browser.context.on('console', (m) => consoleLines.push(m.text()));
    page = await setUpPaperAccount(browser, exchange);
    page.on('console', (m) => consoleLines.push(m.text()));
    await recordTraffic(page);
    await page.fill('#ticket-size', '0.01');
    await eventually(() => page.textContent('#preview-buy-quantity'), (t) => t?.trim() === '0.01');
  });
  afterAll(async () => {
    await browser?.close();
    await exchange?.stop();
  });

  const ordersOnExchange = () => exchange.control.ledger(0).entries.filter((e) => e.kind === 'order.placed').length;

  it('locks, refuses orders while locked with a clear message, and unlocks', async () => {
    await page.click('#lock');
    await page.waitForSelector('#unlock-password');
    const before = ordersOnExchange();
    const refused = await submit(page);
    expect(refused).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(refused.error?.message).toMatch(/locked.*unlock/i);
    expect(ordersOnExchange()).toBe(before);

    await page.fill('#unlock-password', 'not the password');
    await page.click('#unlock-submit');
    await page.waitForFunction(() => /Wrong password/.test(document.getElementById('unlock-error')?.textContent ?? ''));
    await page.fill('#unlock-password', TEST_PASSWORD);
    // The throttle may hold the button for a moment after the wrong attempt.
    await page.waitForSelector('#unlock-submit:not([disabled])', { timeout: 5_000 });
    await page.click('#unlock-submit');
    await page.waitForSelector('#vault-bar:not([hidden])');
  });

  it('signs the next hotkey-style order with no prompt after the service worker is stopped', async () => {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();
    const before = ordersOnExchange();
    const answer = await submit(page);
    expect(answer).toMatchObject({ ok: true, value: { status: 'FILLED' } });
    expect(ordersOnExchange()).toBe(before + 1);
    // The worker woken by this very order may fill it before its user stream is connected: the stop must still come.
    await eventually(() => demoAccount(exchange).openAlgoOrders.length, (n) => n === 4);
    await page.click('#flatten');
    await page.waitForFunction(() => /Flattened/.test(document.getElementById('status')?.textContent ?? ''));
  });

  it('refuses an order once the auto-lock deadline has passed', async () => {
    // Wait out the idle time without waiting: move the session's deadline into the past, as time would.
    const worker: Worker = browser.context.serviceWorkers()[0] ?? (await browser.context.waitForEvent('serviceworker'));
    await worker.evaluate(async () => {
      const key = 'strike.vault.session.v1';
      const record = (await chrome.storage.session.get(key))[key] as { deadline: number };
      await chrome.storage.session.set({ [key]: { ...record, deadline: Date.now() - 1 } });
    });
    const before = ordersOnExchange();
    const refused = await submit(page);
    expect(refused).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(ordersOnExchange()).toBe(before);
  });

  it('never lets the secret, or any 8 characters of it, out of the background', async () => {
    const secret = exchange.demo.apiSecret;
    const worker: Worker = browser.context.serviceWorkers()[0] ?? (await browser.context.waitForEvent('serviceworker'));
    const storage = await worker.evaluate(async () => ({
      local: await chrome.storage.local.get(null),
      session: await chrome.storage.session.get(null),
    }));
    const journal = await page.evaluate(() => chrome.runtime.sendMessage({ type: 'journal.query', text: '', limit: 5000 }));
    const traffic = await page.evaluate(() => (window as unknown as { __traffic: unknown[] }).__traffic);
    const haystack = JSON.stringify({ storage, journal, traffic, console: consoleLines, html: await page.content() });
    expect(haystack.length).toBeGreaterThan(1000);
    expect(traffic.length).toBeGreaterThan(4);
    for (let i = 0; i + 8 <= secret.length; i++) {
      const piece = secret.slice(i, i + 8);
      if (haystack.includes(piece)) throw new Error(`8 characters of the secret (${i}..${i + 8}) leaked`);
    }
  });
});
