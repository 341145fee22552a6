/**
 * Hotkeys. A command is not a second code path: it becomes the same `order.submit` or `flatten` request a click
 * makes and goes through the same router. A buy or sell pressed on a Binance futures page or a TradingView chart
 * trades that tab's symbol (./active-tab.ts); the outcome is told in a notification, since the panel may be closed.
 * Binding health: Chrome never assigns Ctrl+Shift+B to an extension on Linux/Windows (it is the bookmarks bar), so
 * a suggested key can silently stay unbound; we read the real bindings and tell the trader how to fix them.
 * See https://developer.chrome.com/docs/extensions/reference/api/commands ("the shortcut is not assigned if it
 * conflicts with a Chrome shortcut").
 */
import { symbolFromUrl } from './active-tab.ts';
import { publish } from './events.ts';
import { NOTIFY_BATCH_MS } from './notification-batch.ts';
import { ResponseSchemas, type HotkeyHealth, type Request, type RequestOf } from '../shared/messages.ts';
import type { AppError, Result } from '../shared/result.ts';

/** Every command Strike declares in the manifest, in manifest order; each one should carry a key. */
export const HOTKEY_COMMANDS = ['buy', 'sell', 'flatten'] as const;

/** The requests a hotkey can make. */
export type HotkeyRequest = RequestOf<'order.submit'> | RequestOf<'flatten'>;

/**
 * Maps a `chrome.commands` name to the request a panel button would send; unknown names map to nothing.
 * `tabUrl` is the active tab's URL (readable thanks to the `activeTab` grant the key press gives): when it is a
 * Binance futures page or a TradingView chart of a Binance perpetual, a buy or sell carries that symbol.
 */
export function commandToRequest(command: string, nowMs: number, tabUrl?: string): HotkeyRequest | null {
  switch (command) {
    case 'buy':
    case 'sell': {
      const symbol = tabUrl === undefined ? null : symbolFromUrl(tabUrl);
      const side = command === 'buy' ? 'BUY' : 'SELL';
      return { type: 'order.submit', side, source: 'hotkey', inputAtMs: nowMs, ...(symbol === null ? {} : { symbol }) };
    }
    case 'flatten':
      return { type: 'flatten', source: 'hotkey', inputAtMs: nowMs };
    default:
      return null;
  }
}

/** What the trader is told after a hotkey: a notification's title and text, and how serious it is. */
export interface HotkeyReport {
  readonly level: 'info' | 'error';
  readonly title: string;
  readonly message: string;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function failed(title: string, prefix: string, error: AppError): HotkeyReport {
  return { level: 'error', title, message: `${prefix}: ${error.message}` };
}

/**
 * Says exactly what a hotkey did: the side, quantity, symbol and exchange status of the order that was sent, what
 * flatten canceled and closed, or the error. An answer that does not match its schema is a bug and is reported as
 * an error rather than guessed at.
 */
export function describeOutcome(request: HotkeyRequest, result: Result<unknown>): HotkeyReport {
  if (request.type === 'flatten') {
    if (!result.ok) return failed('Strike: flatten failed', 'Flatten', result.error);
    const done = ResponseSchemas.flatten.safeParse(result.value);
    if (!done.success) return { level: 'error', title: 'Strike: flatten failed', message: 'Flatten: the background answered in an unexpected shape.' };
    return {
      level: 'info',
      title: 'Strike: flattened',
      message: `Canceled ${plural(done.data.canceledOrders, 'order')}, closed ${plural(done.data.closedPositions, 'position')}.`,
    };
  }
  const what = `${request.side} ${request.symbol === undefined ? '(ticket symbol)' : `${request.symbol} (active tab)`}`;
  if (!result.ok) return failed(`Strike: ${request.side} failed`, what, result.error);
  const ack = ResponseSchemas['order.submit'].safeParse(result.value);
  if (!ack.success) return { level: 'error', title: `Strike: ${request.side} failed`, message: `${what}: the background answered in an unexpected shape.` };
  const a = ack.data;
  return {
    level: 'info',
    title: `Strike: ${a.side} ${a.symbol} ${a.status}`,
    message: `Sent ${a.side} ${a.quantity} ${a.symbol}${request.symbol === undefined ? '' : ' (active tab)'}: ${a.status}, acknowledged in ${Math.round(a.latency.ackMs)} ms via ${a.via === 'ws' ? 'WebSocket API' : 'REST'}.`,
  };
}

/** What `runHotkey` needs from the worker, injected so the flow is tested without Chrome. */
export interface HotkeyDeps {
  now(): number;
  dispatch(request: Request): Promise<Result<unknown>>;
  report(report: HotkeyReport, atMs: number): void;
}

/** Runs one command end to end: request, dispatch through the router, report. Unknown commands do nothing. */
export async function runHotkey(command: string, tabUrl: string | undefined, deps: HotkeyDeps): Promise<HotkeyReport | null> {
  const request = commandToRequest(command, deps.now(), tabUrl);
  if (request === null) return null;
  const report = describeOutcome(request, await deps.dispatch(request));
  deps.report(report, request.inputAtMs);
  return report;
}

/**
 * The worker's reporter: a system notification (the panel may be closed while the trader is on a chart) and the
 * same text as a notice to open pages. Each press gets its own notification id, so a quick second press does not
 * erase what the first one did.
 */
export function notifyHotkey(report: HotkeyReport, atMs: number): void {
  publish({ type: 'notice', level: report.level, text: `${report.title}. ${report.message}`, atMs: Date.now() });
  // After the order's own work: the answer lands with the fill, and creating a notification then delayed the fill's
  // stop (its icon is loaded on the worker's thread, see notification-batch.ts).
  setTimeout(() => {
    chrome.notifications.create(`strike.hotkey.${atMs}`, {
      type: 'basic',
      iconUrl: chrome.runtime.getURL('icons/icon-128.png'),
      title: report.title,
      message: report.message,
      priority: report.level === 'error' ? 2 : 0,
    });
  }, NOTIFY_BATCH_MS);
}

/** Builds the health report from `chrome.commands.getAll()`'s answer. */
export function hotkeyHealth(commands: readonly chrome.commands.Command[]): HotkeyHealth {
  const list = commands
    .filter((c) => c.name !== undefined && c.name !== '_execute_action')
    .map((c) => ({ name: c.name ?? '', description: c.description ?? '', shortcut: c.shortcut ?? '' }));
  const unbound = HOTKEY_COMMANDS.filter((name) => list.find((c) => c.name === name)?.shortcut === '');
  return { commands: list, unbound: [...unbound] };
}
