/** The side panel: renders background state and turns clicks into contract requests. */
import { onEvents, request } from './bridge.ts';
import type { AppStatus, HotkeyHealth, Side } from '../shared/messages.ts';
import type { AppError } from '../shared/result.ts';

function el<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`panel markup is missing #${id}`);
  return node as T;
}

const app = el<HTMLElement>('app');
const statusLine = el<HTMLParagraphElement>('status');
const minimizeButton = el<HTMLButtonElement>('minimize');
const hotkeysCard = el<HTMLElement>('hotkeys-card');
const hotkeysText = el<HTMLParagraphElement>('hotkeys-text');
const sideButtons: Record<Side, HTMLButtonElement> = { BUY: el('buy'), SELL: el('sell') };

function showStatus(text: string, isError = false): void {
  statusLine.textContent = text;
  statusLine.classList.toggle('error', isError);
}

function showError(error: AppError): void {
  showStatus(error.message, true);
}

const KEY_OF: Record<string, string> = { buy: 'Ctrl+Shift+B', sell: 'Ctrl+Shift+S' };

function renderHotkeys(health: HotkeyHealth): void {
  hotkeysCard.hidden = health.unbound.length === 0;
  if (health.unbound.length === 0) return;
  const names = health.unbound.map((n) => `${n.toUpperCase()} (suggested ${KEY_OF[n] ?? 'key'})`).join(' and ');
  hotkeysText.textContent =
    `${names} has no key. Chrome keeps Ctrl+Shift+B for its bookmarks bar and never gives it to an extension, ` +
    'so it must be bound by hand. Choose a key on the Extensions › Keyboard shortcuts page; a key you bind there wins over Chrome’s.';
}

function renderMinimized(minimized: boolean): void {
  app.classList.toggle('minimized', minimized);
  minimizeButton.setAttribute('aria-pressed', String(minimized));
  minimizeButton.setAttribute('aria-label', minimized ? 'Restore the full panel' : 'Minimize to action bar');
  minimizeButton.textContent = minimized ? '▢' : '▁';
}

function render(status: AppStatus): void {
  renderHotkeys(status.hotkeys);
  renderMinimized(status.ui.minimized);
  app.setAttribute('aria-busy', 'false');
}

async function refresh(): Promise<void> {
  const result = await request({ type: 'app.status' });
  if (!result.ok) return showError(result.error);
  render(result.value);
  showStatus(result.value.ready ? 'Ready.' : 'Not set up: add an exchange account to trade.');
}

async function submit(side: Side): Promise<void> {
  const button = sideButtons[side];
  button.disabled = true;
  showStatus(`Sending ${side}…`);
  const result = await request({ type: 'order.submit', side, source: 'panel', inputAtMs: Date.now() });
  button.disabled = false;
  if (!result.ok) return showError(result.error);
  showStatus(`${side} ${result.value.status}: ${result.value.clientOrderId}`);
}

for (const side of ['BUY', 'SELL'] as const) sideButtons[side].addEventListener('click', () => void submit(side));

minimizeButton.addEventListener('click', () => {
  const minimized = !app.classList.contains('minimized');
  renderMinimized(minimized);
  void request({ type: 'ui.setMinimized', minimized }).then((r) => {
    if (!r.ok) showError(r.error);
  });
});

el<HTMLButtonElement>('hotkeys-fix').addEventListener('click', () => {
  void request({ type: 'hotkeys.openSettings' }).then((r) => {
    if (!r.ok) showError(r.error);
  });
});

onEvents(
  (event) => {
    switch (event.type) {
      case 'status':
        return render(event.status);
      case 'notice':
        return showStatus(event.text, event.level === 'error');
    }
  },
  () => void refresh(),
);

void refresh();
// Bindings change on chrome://extensions/shortcuts while the panel is open: re-check when the trader comes back.
window.addEventListener('focus', () => {
  void request({ type: 'hotkeys.check' }).then((r) => (r.ok ? renderHotkeys(r.value) : showError(r.error)));
});
