/**
 * The side panel shell: wires the views to the background through bridge.ts and routes events to them. Views own
 * their DOM; this file owns the state that several views read (the status, the last trading snapshot, the marks).
 */
import { onEvents, request } from './bridge.ts';
import { assertNever } from '../shared/result.ts';
import { isDecimal, isZero } from '../shared/decimal.ts';
import type { AppEvent, AppStatus, TradingSnapshot, VaultStatus } from '../shared/messages.ts';
import { byId } from './dom.ts';
import { statusSink, type PanelContext } from './context.ts';
import { pageStore } from './preferences.ts';
import { ENVIRONMENT_BADGE } from './format.ts';
import { MarkHistory, positionLevels } from './chart-model.ts';
import { renderHotkeys } from './views/hotkeys.ts';
import { activeProfile, createVaultView, vaultMode } from './views/vault.ts';
import { createVaultSettings } from './views/vault-settings.ts';
import { createTicketView } from './views/ticket.ts';
import { createPositionsView } from './views/positions.ts';
import { renderConnection } from './views/connection.ts';
import { createChartView } from './views/chart.ts';
import { createJournalView } from './views/journal.ts';
import { createActionBar } from './views/action-bar.ts';
import { setupTabs } from './views/tabs.ts';

const ctx: PanelContext = { request, status: statusSink(byId('status')), store: pageStore(), now: () => Date.now() };

const app = byId<HTMLElement>('app');
const minimizeButton = byId<HTMLButtonElement>('minimize');
const envBadge = byId<HTMLElement>('env');
const hotkeysCard = byId<HTMLElement>('hotkeys-card');
const hotkeysText = byId<HTMLElement>('hotkeys-text');
const connectionStrip = byId<HTMLElement>('connection');
const positionsTab = byId<HTMLButtonElement>('tab-positions');

let snapshot: TradingSnapshot | undefined;
let unlocked = false;
let journalLoaded = false;
const marks = new MarkHistory();

const vaultHooks = { onVault: (v: VaultStatus) => applyVault(v), openSettings: () => tabs.select('panel-settings') };
const vaultView = createVaultView(ctx, byId('vault'), vaultHooks);
const vaultSettings = createVaultSettings(ctx, byId('vault-settings-root'), (v) => applyVault(v));
const ticket = createTicketView(ctx, byId('ticket'), { onSymbol: () => redrawChart() });
const positions = createPositionsView(ctx, byId('panel-positions'));
const chart = createChartView(byId('chart'));
const journal = createJournalView(ctx, byId('panel-journal'));
const actionBar = createActionBar(ctx, ticket);
const tabs = setupTabs(byId('tabs'), (panelId) => {
  if (panelId === 'panel-journal' && !journalLoaded) {
    journalLoaded = true;
    void journal.load();
  }
  if (panelId === 'panel-trade') redrawChart();
});

function renderMinimized(minimized: boolean): void {
  app.classList.toggle('minimized', minimized);
  minimizeButton.setAttribute('aria-pressed', String(minimized));
  minimizeButton.setAttribute('aria-label', minimized ? 'Restore the full panel' : 'Minimize to action bar');
  minimizeButton.textContent = minimized ? '▢' : '▁';
}

function redrawChart(): void {
  const symbol = ticket.symbol();
  if (symbol === '') return;
  const position = snapshot?.positions.find((p) => p.symbol === symbol && isDecimal(p.amount) && !isZero(p.amount));
  chart.draw(symbol, marks.points(symbol), position === undefined ? [] : positionLevels(position));
}

function applySnapshot(next: TradingSnapshot | undefined): void {
  snapshot = next;
  if (next !== undefined) {
    const at = ctx.now();
    for (const [symbol, price] of Object.entries(next.marks)) {
      if (marks.points(symbol).length === 0) marks.push(symbol, { atMs: at, price });
    }
    ticket.market(next);
    ticket.load(next.ticket);
  }
  positions.render(next);
  const count = next?.positions.filter((p) => isDecimal(p.amount) && !isZero(p.amount)).length ?? 0;
  positionsTab.textContent = count > 0 ? `Positions (${count})` : 'Positions';
  renderConnection(connectionStrip, next?.connection);
  actionBar.trading(next);
  redrawChart();
}

async function loadTrading(): Promise<void> {
  const r = await request({ type: 'trading.snapshot' });
  if (!r.ok) return ctx.status.error(r.error);
  applySnapshot(r.value);
}

function applyVault(vault: VaultStatus): void {
  vaultView.render(vault);
  vaultSettings.render(vault);
  actionBar.vault(vault);
  const env = activeProfile(vault)?.environment;
  // Mainnet trades real money: the header says so in red in every state, minimized included.
  envBadge.textContent = env === undefined ? '' : ENVIRONMENT_BADGE[env];
  envBadge.className = `env${env === undefined ? '' : ` env-${env}`}${env === 'mainnet' ? ' mainnet' : ''}`;
  envBadge.setAttribute('aria-label', env === undefined ? 'Environment: none unlocked' : `Environment: ${ENVIRONMENT_BADGE[env]}${env === 'mainnet' ? ', real money' : ''}`);
  ticket.setEnvironment(env);
  const wasUnlocked = unlocked;
  unlocked = vaultMode(vault) === 'unlocked';
  if (unlocked && !wasUnlocked) void loadTrading();
  if (!unlocked && wasUnlocked) applySnapshot(undefined);
}

function applyStatus(status: AppStatus): void {
  renderHotkeys(hotkeysCard, hotkeysText, status.hotkeys);
  renderMinimized(status.ui.minimized);
  applyVault(status.vault);
  app.setAttribute('aria-busy', 'false');
}

function readinessText(status: AppStatus): string {
  if (status.ready) return 'Ready.';
  const mode = vaultMode(status.vault);
  return mode === 'setup' ? 'Not set up: add an exchange account to trade.' : mode === 'locked' ? 'Locked: unlock a profile to trade.' : 'Connecting to the exchange…';
}

async function refresh(): Promise<void> {
  const r = await request({ type: 'app.status' });
  // Loading is over either way: a failed status is shown as an error, not as an endless busy panel.
  app.setAttribute('aria-busy', 'false');
  if (!r.ok) return ctx.status.error(r.error);
  applyStatus(r.value);
  ctx.status.show(readinessText(r.value));
  if (unlocked) await loadTrading();
  if (journalLoaded) await journal.load();
}

function onEvent(event: AppEvent): void {
  switch (event.type) {
    case 'status':
      return applyStatus(event.status);
    case 'notice':
      return ctx.status.show(event.text, event.level === 'error');
    case 'trading':
      return applySnapshot(event.snapshot);
    case 'mark':
      marks.push(event.symbol, { atMs: event.atMs, price: event.price });
      ticket.mark(event.symbol, event.price);
      if (event.symbol === ticket.symbol()) redrawChart();
      return;
    case 'journal':
      return journal.add(event.entry);
    case 'vault.progress':
      return vaultView.progress(event.phase);
    default:
      return assertNever(event);
  }
}

minimizeButton.addEventListener('click', () => {
  const minimized = !app.classList.contains('minimized');
  renderMinimized(minimized);
  void request({ type: 'ui.setMinimized', minimized }).then((r) => {
    if (!r.ok) ctx.status.error(r.error);
  });
});

byId<HTMLButtonElement>('hotkeys-fix').addEventListener('click', () => {
  void request({ type: 'hotkeys.openSettings' }).then((r) => {
    if (!r.ok) ctx.status.error(r.error);
  });
});

onEvents(onEvent, () => void refresh());
void refresh();
// Bindings change on chrome://extensions/shortcuts while the panel is open: re-check when the trader comes back.
const recheckHotkeys = (): void => {
  void request({ type: 'hotkeys.check' }).then((r) => (r.ok ? renderHotkeys(hotkeysCard, hotkeysText, r.value) : ctx.status.error(r.error)));
};
window.addEventListener('focus', recheckHotkeys);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') recheckHotkeys();
});
