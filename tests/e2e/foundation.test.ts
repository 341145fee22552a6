import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionBrowser } from './harness.ts';

describe('the built extension in real Chromium', () => {
  let browser: ExtensionBrowser;
  beforeAll(async () => {
    browser = await launchExtension();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('loads, and its service worker answers', async () => {
    expect(browser.extensionId).toMatch(/^[a-p]{32}$/);
    const manifest = await browser.worker.evaluate(() => chrome.runtime.getManifest());
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.externally_connectable).toEqual({ ids: [], matches: [] });
  });

  it('leaves buy unbound (Chrome keeps Ctrl+Shift+B) and binds sell to Ctrl+Shift+S', async () => {
    const commands = await browser.worker.evaluate(() => chrome.commands.getAll());
    const byName = Object.fromEntries(commands.map((c) => [c.name, c.shortcut]));
    expect(byName.buy).toBe('');
    expect(byName.sell).toBe('Ctrl+Shift+S');
  });

  it('shows BUY and SELL, the fix-your-hotkeys card, and round-trips a click through the background', async () => {
    const page = await browser.openPanel();
    await expect(page.getByRole('button', { name: 'BUY' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'SELL' }).isVisible()).resolves.toBe(true);
    const card = page.locator('#hotkeys-card');
    await expect(card.isVisible()).resolves.toBe(true);
    await expect(card.textContent()).resolves.toContain('BUY (suggested Ctrl+Shift+B) has no key');

    await page.getByRole('button', { name: 'BUY' }).click();
    // The background answered with a Result; with no account set up it refuses, naming the fix.
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('No exchange account'));
    await expect(page.locator('#status').getAttribute('class')).resolves.toContain('error');
    await page.close();
  });

  it('keeps the minimized state across a panel reopen', async () => {
    const page = await browser.openPanel();
    await page.getByRole('button', { name: 'Minimize to action bar' }).click();
    await page.waitForFunction(() => document.getElementById('app')?.classList.contains('minimized'));
    await page.close();
    const again = await browser.openPanel();
    await expect(again.locator('#app').getAttribute('class')).resolves.toContain('minimized');
    await again.getByRole('button', { name: 'Restore the full panel' }).click();
    await again.close();
  });

  it('refuses unknown request types and extra keys without reaching a handler', async () => {
    const page = await browser.openPanel();
    const answers = await page.evaluate(async () => {
      const unknown = await chrome.runtime.sendMessage({ type: 'order.nuke' });
      const extra = await chrome.runtime.sendMessage({ type: 'app.status', extra: 1 });
      return { unknown, extra };
    });
    expect(answers.unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
    expect(answers.extra).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await page.close();
  });
});
