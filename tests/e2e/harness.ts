/**
 * Real Chromium with the built extension. Launch flags are the ones measured to work on these machines
 * (../shared/platform-notes.md): without the background-networking flags Chromium's own connections are refused
 * by the closed network, many at a time.
 */
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const DIST = resolve(import.meta.dirname, '../../dist');
export const CHROMIUM = process.env.STRIKE_CHROMIUM ?? '/usr/bin/chromium';
export const PANEL_PATH = 'src/sidepanel/index.html';

export interface ExtensionBrowser {
  readonly context: BrowserContext;
  readonly worker: Worker;
  readonly extensionId: string;
  /** Opens the side panel page as a tab (a side panel itself cannot be driven). */
  openPanel(): Promise<Page>;
  close(): Promise<void>;
}

export function chromiumArgs(dist: string): string[] {
  return [
    `--disable-extensions-except=${dist}`,
    `--load-extension=${dist}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ];
}

/** `env` replaces the browser's environment (a headed run under Xvfb passes its `DISPLAY` this way). */
export async function launchExtension(opts: { headless?: boolean; profileDir?: string; env?: Record<string, string> } = {}): Promise<ExtensionBrowser> {
  if (!existsSync(join(DIST, 'manifest.json'))) throw new Error(`no build at ${DIST}: run the build first`);
  // A caller-owned profile survives close(), to test what a browser restart keeps.
  const profile = opts.profileDir ?? mkdtempSync(join(tmpdir(), 'strike-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: opts.headless ?? true,
    args: chromiumArgs(DIST),
    ...(opts.env === undefined ? {} : { env: opts.env }),
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 15_000 }));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    worker,
    extensionId,
    async openPanel() {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/${PANEL_PATH}`);
      await page.waitForSelector('main[aria-busy="false"]', { timeout: 10_000 });
      return page;
    },
    async close() {
      await context.close();
      if (opts.profileDir === undefined) rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The panel password used by the end-to-end tests. */
export const TEST_PASSWORD = 'correct horse battery';

/**
 * Hands a local exchange's demo account to the extension the way `npm start` does, then seals it through the
 * panel's paper-account form. Resolves with the panel page, unlocked.
 */
export async function setUpPaperAccount(
  browser: ExtensionBrowser,
  exchange: { restUrl: string; wsUrl: string; demo: { apiKey: string; apiSecret: string } },
): Promise<Page> {
  await browser.worker.evaluate(
    (prefill) => chrome.storage.local.set({ 'setup.prefill.v1': prefill }),
    { environment: 'local', restUrl: exchange.restUrl, wsUrl: exchange.wsUrl, apiKey: exchange.demo.apiKey, apiSecret: exchange.demo.apiSecret },
  );
  const page = await browser.openPanel();
  await page.fill('#prefill-password', TEST_PASSWORD);
  await page.fill('#prefill-password2', TEST_PASSWORD);
  await page.click('#prefill-submit');
  await page.waitForSelector('#vault-bar:not([hidden])', { timeout: 20_000 });
  return page;
}

/** Polls `read` until `accept` holds (real time: the browser and the exchange run on their own clocks). */
export async function eventually<T>(read: () => T | Promise<T>, accept: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last = await read();
  while (!accept(last)) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

/** The demo account as the local exchange's control API reports it (fields the e2e tests read). */
export interface DemoAccount {
  accountId: string;
  positions: Array<{ symbol: string; positionAmt: string; positionSide: string }>;
  openOrders: Array<{ clientOrderId: string }>;
  openAlgoOrders: Array<{
    clientAlgoId: string;
    orderType: string;
    side: string;
    quantity: string;
    triggerPrice: string;
    activatePrice: string;
    callbackRate: string;
  }>;
}

interface ControlView {
  control: {
    state(): Record<string, unknown>;
    ledger(since?: number): { entries: ReadonlyArray<{ kind: string; symbol: string | null; data: Readonly<Record<string, unknown>> }> };
  };
}

/** The exchange's view of the demo account, read through its control API. */
export function demoAccount(exchange: ControlView): DemoAccount {
  const acc = (exchange.control.state() as { accounts: DemoAccount[] }).accounts.find((a) => a.accountId === 'demo');
  if (acc === undefined) throw new Error('the local exchange has no demo account');
  return acc;
}

/** The trader's entry and close orders the exchange received (client ids `stk-…`; protective orders have others). */
export function strikeOrders(exchange: ControlView) {
  return exchange.control.ledger(0).entries.filter((e) => e.kind === 'order.placed' && String(e.data.clientOrderId).startsWith('stk-'));
}
