/**
 * Hotkeys. A command is not a second code path: it becomes the same `order.submit` request a click makes.
 * Binding health: Chrome never assigns Ctrl+Shift+B to an extension on Linux/Windows (it is the bookmarks bar), so
 * a suggested key can silently stay unbound; we read the real bindings and tell the trader how to fix them.
 * See https://developer.chrome.com/docs/extensions/reference/api/commands ("the shortcut is not assigned if it
 * conflicts with a Chrome shortcut").
 */
import type { HotkeyHealth, Request } from '../shared/messages.ts';

/** The commands that place orders, in manifest order. */
export const ORDER_COMMANDS = ['buy', 'sell'] as const;

/** Maps a `chrome.commands` name to the request a panel button would send; unknown names map to nothing. */
export function commandToRequest(command: string, nowMs: number): Request | null {
  switch (command) {
    case 'buy':
      return { type: 'order.submit', side: 'BUY', source: 'hotkey', inputAtMs: nowMs };
    case 'sell':
      return { type: 'order.submit', side: 'SELL', source: 'hotkey', inputAtMs: nowMs };
    default:
      return null;
  }
}

/** Builds the health report from `chrome.commands.getAll()`'s answer. */
export function hotkeyHealth(commands: readonly chrome.commands.Command[]): HotkeyHealth {
  const list = commands
    .filter((c) => c.name !== undefined && c.name !== '_execute_action')
    .map((c) => ({ name: c.name ?? '', description: c.description ?? '', shortcut: c.shortcut ?? '' }));
  const unbound = ORDER_COMMANDS.filter((name) => list.find((c) => c.name === name)?.shortcut === '');
  return { commands: list, unbound: [...unbound] };
}
