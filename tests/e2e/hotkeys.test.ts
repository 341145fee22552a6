/**
 * Hotkeys pressed for real: headed Chromium on a private Xvfb display, keys typed by xdotool into the focused
 * browser window, so they travel X server -> Chromium's accelerator handling -> chrome.commands -> the worker,
 * like a trader's. Playwright's keyboard cannot do this: its key events are injected into the page's renderer and
 * never reach browser or extension shortcuts (../shared/platform-notes.md, Hotkeys).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startExchange, type SimExchange } from '../../sim/server.ts';
import { EVENTS_PORT } from '../../src/shared/messages.ts';
import { demoAccount, eventually, launchExtension, setUpPaperAccount, strikeOrders, type ExtensionBrowser } from './harness.ts';

const RESULTS = resolve(import.meta.dirname, '../../test-results');

/** Starts Xvfb on the first display number nobody holds (no lock file, no socket) and waits for its socket. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  for (let n = 90; n < 190; n++) {
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;
    const child = spawn('Xvfb', [`:${n}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    const exited = new Promise<'exited'>((r) => child.once('exit', () => r('exited')));
    const until = Date.now() + 5_000;
    while (Date.now() < until) {
      if (existsSync(`/tmp/.X11-unix/X${n}`)) return { display: `:${n}`, process: child };
      // Another Xvfb took the number between our check and its start: try the next one.
      if ((await Promise.race([exited, new Promise((r) => setTimeout(r, 50))])) === 'exited') break;
    }
    child.kill();
  }
  throw new Error('no free X display between :90 and :189');
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('hotkeys pressed with real keystrokes (headed Chromium under Xvfb, xdotool)', () => {
  let xvfb: ChildProcess | undefined;
  let env: Record<string, string>;
  let exchange: SimExchange;
  let browser: ExtensionBrowser;
  let panel: Page;

  const xdotool = (...args: string[]): string => execFileSync('xdotool', args, { env, encoding: 'utf8', timeout: 10_000 }).trim();
  /**
   * Chromium's window. A window that goes away while xdotool walks the window tree fails the whole search with
   * BadWindow (seen once in a fresh-clone run on a loaded machine): the search is made again, up to five times.
   */
  const chromiumWindow = (): string => {
    for (let attempt = 1; ; attempt++) {
      try {
        return xdotool('search', '--sync', '--onlyvisible', '--class', 'chromium').split('\n')[0] ?? '';
      } catch (e) {
        if (attempt >= 5) throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      }
    }
  };
  /**
   * Focuses Chromium's window and types a chord. There is no window manager on Xvfb, so `windowactivate` (which
   * asks one) does nothing: `windowfocus --sync` sets the X input focus directly. `--clearmodifiers` releases any
   * modifier xdotool believes is down, so the chord arrives exactly as written.
   */
  const press = (chord: string): void => {
    const window = chromiumWindow();
    xdotool('windowfocus', '--sync', window);
    xdotool('key', '--clearmodifiers', chord);
  };
  const demo = () => demoAccount(exchange);
  const ourOrders = () => strikeOrders(exchange);
  const openPositions = () => demo().positions.filter((p) => Number(p.positionAmt) !== 0);
  const bindings = async () =>
    Object.fromEntries((await browser.worker.evaluate(() => chrome.commands.getAll())).map((c) => [c.name, c.shortcut]));
  const notificationIds = async () => Object.keys(await browser.worker.evaluate(() => chrome.notifications.getAll()));
  /** The notices the background published since the listener below was attached, oldest first. */
  const notices = () => panel.evaluate(() => (window as unknown as { strikeNotices: string[] }).strikeNotices);
  const noticeSaying = (text: string) => eventually(notices, (all) => all.some((n) => n.includes(text)));

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    const x = await startXvfb();
    xvfb = x.process;
    env = { ...(process.env as Record<string, string>), DISPLAY: x.display };
    exchange = await startExchange({ port: 0, autoMarket: false });
    exchange.control.setPrice('BTCUSDT', '50000');
    exchange.control.setPrice('ETHUSDT', '3500');
    browser = await launchExtension({ headless: false, env });
    panel = await setUpPaperAccount(browser, exchange);
    await panel.selectOption('#ticket-size-mode', 'quantity');
    await panel.fill('#ticket-size', '0.01');
    await eventually(() => panel.textContent('#preview-buy-quantity'), (t) => t?.trim() === '0.01');
    // A hotkey places the ticket the worker has saved, and the panel saves it 150 ms after the last edit (its preview
    // comes at once): a fresh clone's run pressed Ctrl+Shift+S before that and sold the default size.
    await eventually(
      () => browser.worker.evaluate(async () => (await chrome.storage.local.get('ticket.v1'))['ticket.v1'] as { sizeMode: string; size: string } | undefined),
      (t) => t?.sizeMode === 'quantity' && t.size === '0.01',
    );
    // The panel's status line is overwritten by later notices (the stop placement): keep every notice instead.
    await panel.evaluate((name) => {
      const store = window as unknown as { strikeNotices: string[] };
      store.strikeNotices = [];
      chrome.runtime.connect({ name }).onMessage.addListener((event: { type: string; text?: string }) => {
        if (event.type === 'notice' && event.text !== undefined) store.strikeNotices.push(event.text);
      });
    }, EVENTS_PORT);
  });
  afterAll(async () => {
    await browser?.close();
    await exchange?.stop();
    await stopProcess(xvfb);
  });

  it('Chrome assigns Ctrl+Shift+S to sell and Alt+Shift+F to flatten, and leaves buy unbound', async () => {
    await expect(bindings()).resolves.toMatchObject({ buy: '', sell: 'Ctrl+Shift+S', flatten: 'Alt+Shift+F' });
  });

  it('Ctrl+Shift+S sends exactly one SELL of the ticket and a notification says what was sent', async () => {
    await panel.bringToFront();
    const before = ourOrders().length;
    const notesBefore = await notificationIds();

    press('ctrl+shift+s');

    await eventually(() => ourOrders().length, (n) => n > before);
    await eventually(openPositions, (p) => p.some((x) => x.symbol === 'BTCUSDT' && x.positionAmt === '-0.01'));
    const placed = ourOrders().slice(before);
    expect(placed).toHaveLength(1);
    expect(placed[0]?.symbol).toBe('BTCUSDT');
    expect(placed[0]?.data).toMatchObject({ side: 'SELL', type: 'MARKET', quantity: '0.01' });
    // The panel tab shows no market, so the ticket's symbol was used; the notice repeats the notification's text.
    await noticeSaying('Strike: SELL BTCUSDT FILLED. Sent SELL 0.01 BTCUSDT: FILLED, acknowledged in');
    // The notice is published as the notification is requested: the notification may land a moment later.
    const fresh = (ids: string[]) => ids.filter((id) => id.startsWith('strike.hotkey.') && !notesBefore.includes(id));
    expect(fresh(await eventually(notificationIds, (ids) => fresh(ids).length > 0))).toHaveLength(1);
  });

  it('Ctrl+Shift+B, bound by hand on chrome://extensions/shortcuts, buys the symbol of the active Binance futures tab', async () => {
    const shortcuts = await browser.context.newPage();
    await shortcuts.goto('chrome://extensions/shortcuts');
    // extensions-manager -> extensions-keyboard-shortcuts -> cr-shortcut-input: CSS locators pierce the open shadow roots.
    await shortcuts.locator('cr-shortcut-input[edit-button-aria-label^="Edit shortcut Buy"] #edit').click();
    // The field is recording now (Chrome suspends its own shortcuts meanwhile); the chord must come from the keyboard.
    press('ctrl+shift+b');
    await eventually(bindings, (b) => b.buy === 'Ctrl+Shift+B');
    await shortcuts.screenshot({ path: resolve(RESULTS, 'hotkeys-shortcuts.png') });
    await shortcuts.close();

    // A Binance futures page, served locally (no network here): only its URL matters to Strike.
    await browser.context.route('https://www.binance.com/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>ETHUSDT Perpetual | Binance Futures</title><h1>ETHUSDT</h1>' }),
    );
    const binance = await browser.context.newPage();
    await binance.goto('https://www.binance.com/en/futures/ETHUSDT');
    await binance.bringToFront();
    const before = ourOrders().length;

    // The ticket holds a BTC quantity: it must not become an ETH quantity. Refused, nothing sent.
    press('ctrl+shift+b');
    await eventually(notices, (all) => all.some((n) => n.includes('Size the ticket in USDT')));
    expect(ourOrders().length).toBe(before);

    // In USDT the size carries over: 36 USDT at the ask (3500.01) is 0.010285 ETH, floored to the 0.001 step.
    await panel.selectOption('#ticket-size-mode', 'notional');
    await panel.fill('#ticket-size', '36');
    await eventually(
      () => browser.worker.evaluate(async () => (await chrome.storage.local.get('ticket.v1'))['ticket.v1'] as { sizeMode: string; size: string }),
      (t) => t.sizeMode === 'notional' && t.size === '36',
    );
    await binance.bringToFront();
    press('ctrl+shift+b');

    await eventually(() => ourOrders().length, (n) => n > before);
    await eventually(openPositions, (p) => p.some((x) => x.symbol === 'ETHUSDT' && x.positionAmt === '0.01'));
    const placed = ourOrders().slice(before);
    expect(placed).toHaveLength(1);
    expect(placed[0]?.symbol).toBe('ETHUSDT');
    expect(placed[0]?.data).toMatchObject({ side: 'BUY', type: 'MARKET', quantity: '0.01' });
    await noticeSaying('Strike: BUY ETHUSDT FILLED. Sent BUY 0.01 ETHUSDT (active tab): FILLED, acknowledged in');
    // The ticket itself still trades BTCUSDT: the tab chose the symbol of this one order only.
    await expect(panel.inputValue('#ticket-symbol')).resolves.toBe('BTCUSDT');
    await binance.close();
  });

  it('writes screenshots of the panel and of the minimized action bar, two positions open', async () => {
    await panel.screenshot({ path: resolve(RESULTS, 'hotkeys-panel.png') });
    await panel.click('#minimize');
    await panel.waitForFunction(() => document.getElementById('app')?.classList.contains('minimized'));
    await panel.screenshot({ path: resolve(RESULTS, 'hotkeys-action-bar.png') });
    await panel.click('#minimize');
    await panel.waitForFunction(() => !document.getElementById('app')?.classList.contains('minimized'));
  });

  it('Alt+Shift+F flattens: no position and no open order is left', async () => {
    expect(openPositions().map((p) => p.symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    await panel.bringToFront();

    press('alt+shift+f');

    await eventually(demo, (a) => a.positions.every((p) => Number(p.positionAmt) === 0) && a.openOrders.length === 0 && a.openAlgoOrders.length === 0, 15_000);
    await eventually(notices, (all) => all.some((n) => /^Strike: flattened\. Canceled \d+ orders?, closed 2 positions\.$/.test(n)));
  });

  it('locked, a hotkey sends nothing, the notification names the fix and the badge says OFF', async () => {
    await panel.evaluate(() => chrome.runtime.sendMessage({ type: 'vault.lock' }));
    await eventually(() => browser.worker.evaluate(() => chrome.action.getBadgeText({})), (t) => t === 'OFF');
    await panel.bringToFront();
    const before = exchange.control.ledger(0).entries.length;

    press('ctrl+shift+s');

    await noticeSaying('Strike: SELL failed. SELL (ticket symbol): Strike is locked');
    expect(exchange.control.ledger(0).entries.slice(before).filter((e) => e.kind === 'order.placed')).toEqual([]);
  });
});
