/**
 * The service worker. Every listener is registered synchronously at the top level: Chrome wakes a stopped worker
 * for an event and delivers it only to listeners registered in the first turn of the script
 * (https://developer.chrome.com/docs/extensions/develop/concepts/service-workers/events).
 */
import { createRouter, isTrustedSender, type HandlerMap } from './router.ts';
import { hotkeyHealth, notifyHotkey, runHotkey } from './commands.ts';
import { updateBadge } from './badge.ts';
import { acceptPort, publish } from './events.ts';
import { readUiState, writeUiState } from './ui-state.ts';
import { vault } from './services.ts';
import { vaultHandlers } from './handlers/vault.ts';
import { tradingHandlers } from './handlers/trading.ts';
import * as manager from './trading/manager.ts';
import { prefillInfo } from './prefill.ts';
import { ok } from '../shared/result.ts';
import type { AppStatus, VaultStatus } from '../shared/messages.ts';

const routerOptions = { extensionId: chrome.runtime.id, extensionOrigin: `chrome-extension://${chrome.runtime.id}`, now: () => performance.now() };

const FIRST_EVENT_MARK = 'strike:first-event';

/**
 * Marks when this worker's first event arrives (read by `npm run bench`: a restarted worker must be ready to sign
 * within 50 ms of it; see manager.READY_MARK).
 */
let firstEventMarked = false;
function eventArrived(): void {
  if (firstEventMarked) return;
  firstEventMarked = true;
  performance.mark(FIRST_EVENT_MARK);
}

async function checkHotkeys() {
  return hotkeyHealth(await chrome.commands.getAll());
}

async function vaultStatus(): Promise<VaultStatus> {
  const [status, prefill] = await Promise.all([vault.status(), prefillInfo()]);
  if (!status.ok) throw new Error(status.error.message);
  return prefill === undefined ? status.value : { ...status.value, prefill };
}

async function appStatus(): Promise<AppStatus> {
  const [ui, hotkeys, v] = await Promise.all([readUiState(), checkHotkeys(), vaultStatus()]);
  return { version: chrome.runtime.getManifest().version, ready: v.unlocked, ui, hotkeys, vault: v };
}

/** The vault changed: start trading on unlock, stop on lock, and tell every open page. */
function onVaultChange(status: VaultStatus): void {
  if (status.unlocked) void manager.session();
  else {
    manager.stop();
    void updateBadge({ kind: 'locked' });
  }
  void appStatus().then((s) => publish({ type: 'status', status: s }));
}

const handlers = {
  'app.status': async () => ok(await appStatus()),
  ...vaultHandlers(onVaultChange),
  ...tradingHandlers,
  'hotkeys.check': async () => {
    const health = await checkHotkeys();
    publish({ type: 'status', status: await appStatus() });
    return ok(health);
  },
  'hotkeys.openSettings': async () => {
    // chrome:// pages cannot be linked from an extension page; only chrome.tabs.create may open them.
    await chrome.tabs.create({ url: 'chrome://extensions/shortcuts' });
    return ok({ opened: true as const });
  },
  'ui.setMinimized': async (req) => ok(await writeUiState({ minimized: req.minimized })),
} satisfies HandlerMap;

const router = createRouter(handlers, routerOptions);

chrome.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  eventArrived();
  void router.route(message, sender).then(sendResponse);
  return true; // the answer is asynchronous
});

chrome.runtime.onConnect.addListener((port) => {
  eventArrived();
  acceptPort(port, port.sender !== undefined && isTrustedSender(port.sender, routerOptions));
});

// `tab` is the active tab; the key press grants activeTab, so its URL is readable and a buy or sell on a Binance
// futures page or TradingView chart trades that page's symbol.
chrome.commands.onCommand.addListener((command, tab) => {
  eventArrived();
  void runHotkey(command, tab?.url, { now: () => Date.now(), dispatch: router.dispatch, report: notifyHotkey });
});

const HOTKEY_NOTIFICATION = 'strike.hotkeys';

// At install no panel is open yet, so an unbound hotkey is reported by a notification that opens the fix.
chrome.runtime.onInstalled.addListener(() => {
  void checkHotkeys().then((health) => {
    if (health.unbound.length === 0) return;
    chrome.notifications.create(HOTKEY_NOTIFICATION, {
      type: 'basic',
      iconUrl: chrome.runtime.getURL('icons/icon-128.png'),
      title: 'Strike: a hotkey has no key',
      message: `${health.unbound.join(' and ')} could not get its suggested key (Chrome keeps Ctrl+Shift+B for the bookmarks bar). Click to choose a key.`,
    });
  });
});

chrome.notifications.onClicked.addListener((id) => {
  if (id === HOTKEY_NOTIFICATION) void handlers['hotkeys.openSettings']();
});

chrome.alarms.onAlarm.addListener((alarm) => {
  eventArrived();
  void vault.handleAlarm(alarm.name).then(async () => {
    const status = await vault.status();
    if (status.ok && !status.value.unlocked) onVaultChange(status.value);
  });
});

// A worker restarted while unlocked resumes trading at once, so protection keeps running without a prompt.
void manager.session();

// The toolbar icon opens the side panel (https://developer.chrome.com/docs/extensions/reference/api/sidePanel).
void chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true });
