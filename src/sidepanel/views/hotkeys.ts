/** The hotkeys card: says which order command has no key and opens Chrome's shortcuts page to fix it. */
import type { HotkeyHealth } from '../../shared/messages.ts';

const SUGGESTED: Record<string, string> = { buy: 'Ctrl+Shift+B', sell: 'Ctrl+Shift+S', flatten: 'Alt+Shift+F' };

/** The card's sentence for the unbound commands ("BUY (suggested Ctrl+Shift+B) has no key. …"). */
export function hotkeysText(unbound: readonly string[]): string {
  const names = unbound.map((n) => `${n.toUpperCase()} (suggested ${SUGGESTED[n] ?? 'key'})`).join(' and ');
  return (
    `${names} has no key. Chrome keeps Ctrl+Shift+B for its bookmarks bar and never gives it to an extension, ` +
    'so it must be bound by hand. Choose a key on the Extensions › Keyboard shortcuts page; a key you bind there wins over Chrome’s.'
  );
}

export function renderHotkeys(card: HTMLElement, text: HTMLElement, health: HotkeyHealth): void {
  card.hidden = health.unbound.length === 0;
  if (health.unbound.length > 0) text.textContent = hotkeysText(health.unbound);
}
