/**
 * Keyboard-only operation of the panel in real Chromium against the local exchange: every step after the account
 * set-up is a key press (Tab, Shift+Tab, Enter, Space, arrows, typing); nothing is clicked and no target is focused
 * by script. The page is only read: which element has focus, what it shows, how focus is drawn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startExchange, type SimExchange } from '../../sim/server.ts';
import { eventually, launchExtension, setUpPaperAccount, strikeOrders, type ExtensionBrowser } from './harness.ts';

/** The focused element's id ('' for an element without one, 'BODY' when nothing is focused). */
const focusedId = (page: Page): Promise<string> => page.evaluate(() => (document.activeElement === document.body ? 'BODY' : (document.activeElement?.id ?? '')));

/** Presses Tab (or Shift+Tab) until the element `#id` has focus; fails after `max` presses. */
async function tabTo(page: Page, id: string, opts: { back?: boolean; max?: number } = {}): Promise<number> {
  const key = opts.back === true ? 'Shift+Tab' : 'Tab';
  const max = opts.max ?? 80;
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press(key);
    if ((await focusedId(page)) === id) return presses;
  }
  throw new Error(`#${id} not reached with ${max} × ${key}; focus is on "${await focusedId(page)}"`);
}

/** How the focused element is drawn: whether it matches :focus-visible and its computed outline and box-shadow. */
function focusLook(page: Page): Promise<{ id: string; tag: string; visible: boolean; outline: string; shadow: string }> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (el === null || el === document.body) return { id: 'BODY', tag: 'BODY', visible: false, outline: 'none', shadow: 'none' };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle === 'none' || parseFloat(style.outlineWidth) === 0 ? 'none' : `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`;
    return { id: el.id, tag: el.tagName, visible: el.matches(':focus-visible'), outline, shadow: style.boxShadow };
  });
}

interface AxNode {
  ignored: boolean;
  role?: { value?: string };
  name?: { value?: string };
  backendDOMNodeId?: number;
}

/** Roles a trader operates; each must have an accessible name (WAI-ARIA: name required for these roles). */
const INTERACTIVE = new Set(['button', 'textbox', 'combobox', 'checkbox', 'radio', 'spinbutton', 'tab', 'link', 'listbox', 'switch', 'slider', 'searchbox', 'menuitem', 'tabpanel']);

/** Every exposed interactive node of the page without an accessible name, from Chromium's own accessibility tree. */
async function namelessControls(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as unknown as { nodes: AxNode[] };
    const nameless: string[] = [];
    for (const n of nodes) {
      const role = n.role?.value ?? '';
      if (n.ignored || !INTERACTIVE.has(role)) continue;
      if ((n.name?.value ?? '').trim() === '') {
        const { object } = (await cdp.send('DOM.resolveNode', { backendNodeId: n.backendDOMNodeId ?? 0 })) as { object: { description?: string } };
        nameless.push(`${role} ${object.description ?? '?'}`);
      }
    }
    return nameless;
  } finally {
    await cdp.detach();
  }
}

describe('keyboard-only operation of the panel', () => {
  let exchange: SimExchange;
  let browser: ExtensionBrowser;
  let page: Page;
  const ourOrders = () => strikeOrders(exchange);

  beforeAll(async () => {
    exchange = await startExchange({ port: 0, autoMarket: false });
    exchange.control.setPrice('BTCUSDT', '50000');
    browser = await launchExtension();
    await setUpPaperAccount(browser, exchange);
    // A new panel, as the trader opens it, driven from its first key press.
    page = await browser.openPanel();
    await page.waitForSelector('#ticket-fields:not([disabled])');
    await page.waitForFunction(() => document.getElementById('bar-conn')?.textContent === '● live', undefined, { timeout: 30_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await exchange?.stop();
  });

  it('reaches the size field, types a size, reaches BUY and sends exactly one order with Enter', async () => {
    await expect(page.inputValue('#ticket-size-mode')).resolves.toBe('quantity');
    await tabTo(page, 'ticket-size');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('0.01');
    await eventually(() => page.textContent('#preview-buy-quantity'), (t) => t?.trim() === '0.01');
    const before = ourOrders().length;

    // BUY sits in the action bar above the tabs: back up to it.
    await tabTo(page, 'buy', { back: true });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /^last \d/.test(document.getElementById('bar-latency')?.textContent ?? ''));
    await eventually(() => ourOrders().length, (n) => n > before);
    const placed = ourOrders().slice(before);
    expect(placed).toHaveLength(1);
    expect(placed[0]?.data).toMatchObject({ side: 'BUY', type: 'MARKET', quantity: '0.01' });
    // Focus stays on BUY through the send: the trader keeps their place (a disabled button would drop it to <body>).
    await expect(focusedId(page)).resolves.toBe('buy');

    // Close it again from the keyboard: one Tab to SELL, Space.
    await page.keyboard.press('Tab');
    await expect(focusedId(page)).resolves.toBe('sell');
    await page.keyboard.press('Space');
    await eventually(() => ourOrders().length, (n) => n === before + 2);
    await page.waitForSelector('#pos-BTCUSDT-BOTH', { state: 'detached', timeout: 15_000 });
  });

  it('opens on the last known state marked as refreshing, and a BUY pressed at once goes exactly once', async () => {
    const fresh = await browser.context.newPage();
    // What the trader sees the moment the panel stops being busy.
    await fresh.addInitScript(() => {
      new MutationObserver((_records, observer) => {
        if (document.querySelector('main[aria-busy="false"]') === null) return;
        observer.disconnect();
        const w = window as Window & { __atOpen?: unknown };
        w.__atOpen = {
          refreshing: document.getElementById('freshness')?.hidden === false,
          envLabel: document.getElementById('env')?.getAttribute('aria-label'),
          size: (document.getElementById('ticket-size') as HTMLInputElement | null)?.value,
          ticketEnabled: (document.getElementById('ticket-fields') as HTMLFieldSetElement | null)?.disabled === false,
        };
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['aria-busy'] });
    });
    await fresh.goto(page.url());
    await fresh.waitForSelector('main[aria-busy="false"]');
    const atOpen = await fresh.evaluate(() => (window as Window & { __atOpen?: unknown }).__atOpen);
    expect(atOpen).toEqual({ refreshing: true, envLabel: 'Environment: LOCAL (last known, refreshing)', size: '0.01', ticketEnabled: true });

    const before = ourOrders().length;
    await tabTo(fresh, 'buy');
    await fresh.keyboard.press('Enter');
    await eventually(() => ourOrders().length, (n) => n > before);
    await fresh.waitForSelector('#freshness', { state: 'hidden' });
    await expect(fresh.getAttribute('#env', 'aria-label')).resolves.toBe('Environment: LOCAL');
    await fresh.waitForFunction(() => /^last \d/.test(document.getElementById('bar-latency')?.textContent ?? ''));
    expect(ourOrders().slice(before)).toHaveLength(1);
    expect(ourOrders()[before]?.data).toMatchObject({ side: 'BUY', quantity: '0.01' });
    await fresh.keyboard.press('Tab');
    await fresh.keyboard.press('Space');
    await eventually(() => ourOrders().length, (n) => n === before + 2);
    await fresh.close();
  });

  it('minimizes and restores the panel from the keyboard', async () => {
    await tabTo(page, 'minimize', { back: true });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.getElementById('app')?.classList.contains('minimized'));
    await expect(page.getAttribute('#minimize', 'aria-pressed')).resolves.toBe('true');
    await expect(page.getAttribute('#minimize', 'aria-label')).resolves.toBe('Restore the full panel');
    await expect(focusedId(page)).resolves.toBe('minimize');
    // Minimized, BUY is one Tab away and the ticket is out of the tab order.
    await tabTo(page, 'buy', { max: 3 });
    await tabTo(page, 'minimize', { back: true, max: 3 });
    await page.keyboard.press('Space');
    await page.waitForFunction(() => !document.getElementById('app')?.classList.contains('minimized'));
    await expect(page.getAttribute('#minimize', 'aria-pressed')).resolves.toBe('false');
    await expect(page.isVisible('#ticket-size')).resolves.toBe(true);
  });

  it('switches tabs with the arrow keys, Home and End (one tab stop for the list)', async () => {
    await tabTo(page, 'tab-trade');
    const selected = () => page.evaluate(() => document.querySelector('[role="tab"][aria-selected="true"]')?.id);
    const visiblePanel = () => page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>('[role="tabpanel"]')).filter((p) => !p.hidden).map((p) => p.id));
    const steps: Array<[string, string]> = [
      ['ArrowRight', 'tab-positions'],
      ['ArrowRight', 'tab-journal'],
      ['End', 'tab-settings'],
      ['ArrowRight', 'tab-trade'],
      ['ArrowLeft', 'tab-settings'],
      ['Home', 'tab-trade'],
    ];
    for (const [key, tab] of steps) {
      await page.keyboard.press(key);
      await expect(selected()).resolves.toBe(tab);
      await expect(focusedId(page)).resolves.toBe(tab);
      await expect(visiblePanel()).resolves.toEqual([tab.replace('tab-', 'panel-')]);
    }
    // Tab leaves the list for its panel, not for the next tab.
    await page.keyboard.press('Tab');
    await expect(focusedId(page)).resolves.toBe('panel-trade');
  });

  it('names every control in every tab', async () => {
    await tabTo(page, 'tab-trade');
    for (const tab of ['tab-trade', 'tab-positions', 'tab-journal', 'tab-settings']) {
      await expect(focusedId(page)).resolves.toBe(tab);
      expect(await namelessControls(page), `nameless controls with ${tab} selected`).toEqual([]);
      await page.keyboard.press('ArrowRight');
    }
    await expect(focusedId(page)).resolves.toBe('tab-trade');
  });

  it('draws focus on every tab stop of the panel', async () => {
    // One pass from the first tab stop to the last (past it, focus leaves the page for the browser).
    await tabTo(page, 'minimize');
    const seen: string[] = [];
    for (let i = 0; i < 80; i++) {
      const look = await focusLook(page);
      if (look.id === 'BODY' || (look.id === 'minimize' && seen.length > 0)) break;
      seen.push(look.id);
      expect(look.visible, `${look.tag}#${look.id} matches :focus-visible`).toBe(true);
      expect(look.outline !== 'none' || look.shadow !== 'none', `${look.tag}#${look.id} draws its focus (outline ${look.outline}, shadow ${look.shadow})`).toBe(true);
      await page.keyboard.press('Tab');
    }
    // The cycle passes the trading controls in their order on screen.
    for (const id of ['minimize', 'buy', 'sell', 'flatten', 'tab-trade', 'ticket-symbol', 'ticket-size']) expect(seen).toContain(id);
    expect(seen.indexOf('buy')).toBeLessThan(seen.indexOf('ticket-size'));
  });
});
