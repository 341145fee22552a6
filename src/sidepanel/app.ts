/**
 * The live half of the panel, loaded by main.ts right after the first paint: it brings the contract (zod), the
 * bridge to the background, and the views the first paint does not need (vault forms, positions, chart, journal,
 * settings). It owns the state several views read (the status, the last trading snapshot, the marks) and replaces
 * the restored state main.ts painted with the live one.
 */
import { onEvents } from './bridge.ts';
import { assertNever } from '../shared/result.ts';
import { isDecimal, isZero } from '../shared/decimal.ts';
import type { AppEvent, AppStatus, Environment, TradingSnapshot, VaultStatus } from '../shared/messages.ts';
import type { Result } from '../shared/result.ts';
import { byId } from './dom.ts';
import type { PanelContext } from './context.ts';
import { MarkHistory, positionLevels } from './chart-model.ts';
import { activeProfile, vaultMode, type VaultMode } from './vault-model.ts';
import { renderHotkeys } from './views/hotkeys.ts';
import { createVaultView } from './views/vault.ts';
import { createVaultSettings } from './views/vault-settings.ts';
import { createPositionsView } from './views/positions.ts';
import { renderConnection } from './views/connection.ts';
import { createChartView } from './views/chart.ts';
import { createJournalView } from './views/journal.ts';
import type { TicketView } from './views/ticket.ts';
import type { ActionBar } from './views/action-bar.ts';
import type { Tabs } from './views/tabs.ts';

/** What main.ts hands over: the views it built for the first paint and its hooks. */
export interface Shell {
  readonly ctx: PanelContext;
  readonly ticket: TicketView;
  readonly actionBar: ActionBar;
  readonly tabs: Tabs;
  /** The id of the tab panel on screen (the trader may have switched before this module loaded). */
  selectedPanel(): string;
  /** Whether the restored state was an unlocked vault (the trading snapshot is then asked for at once). */
  expectsUnlocked(): boolean;
  renderMinimized(minimized: boolean): void;
  renderEnvironment(env: Environment | undefined): void;
  /** The live vault state, on every change (what the next panel will restore). */
  state(state: { mode: VaultMode; environment: Environment | undefined }): void;
  /** Saves the state for the next panel (after a snapshot: the saved ticket may have changed). */
  remember(): void;
  /** The first refresh is done: the live state replaced the restored one, or (`false`) could not be read. */
  live(ok?: boolean): void;
}

/** What main.ts forwards once the app runs. */
export interface App {
  onTab(panelId: string): void;
  onSymbol(): void;
}

export function startApp(shell: Shell): App {
  const { ctx, ticket, actionBar } = shell;
  const app = byId<HTMLElement>('app');
  const hotkeysCard = byId<HTMLElement>('hotkeys-card');
  const hotkeysText = byId<HTMLElement>('hotkeys-text');
  const connectionStrip = byId<HTMLElement>('connection');
  const positionsTab = byId<HTMLButtonElement>('tab-positions');

  let snapshot: TradingSnapshot | undefined;
  let unlocked = false;
  let environment: Environment | undefined;
  let journalLoaded = false;
  let refreshing = false;
  const marks = new MarkHistory();

  const vaultHooks = { onVault: (v: VaultStatus) => applyVault(v), openSettings: () => shell.tabs.select('panel-settings') };
  const vaultView = createVaultView(ctx, byId('vault'), vaultHooks);
  const vaultSettings = createVaultSettings(ctx, byId('vault-settings-root'), (v) => applyVault(v));
  const positions = createPositionsView(ctx, byId('panel-positions'));
  const chart = createChartView(byId('chart'));
  const journal = createJournalView(ctx, byId('panel-journal'));

  function onTab(panelId: string): void {
    if (panelId === 'panel-journal' && !journalLoaded) {
      journalLoaded = true;
      void journal.load();
    }
    if (panelId === 'panel-trade') redrawChart();
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
    shell.remember();
  }

  async function loadTrading(prefetched?: Promise<Result<TradingSnapshot>>): Promise<void> {
    const r = await (prefetched ?? ctx.request({ type: 'trading.snapshot' }));
    if (!r.ok) return ctx.status.error(r.error);
    if (unlocked) applySnapshot(r.value);
  }

  function applyVault(vault: VaultStatus): void {
    vaultView.render(vault);
    vaultSettings.render(vault);
    actionBar.vault(vault);
    environment = activeProfile(vault)?.environment;
    shell.renderEnvironment(environment);
    shell.state({ mode: vaultMode(vault), environment });
    ticket.setEnvironment(environment);
    const wasUnlocked = unlocked;
    unlocked = vaultMode(vault) === 'unlocked';
    // During a refresh the snapshot is already on its way (asked for together with the status).
    if (unlocked && !wasUnlocked && !refreshing) void loadTrading();
    if (!unlocked && wasUnlocked) applySnapshot(undefined);
  }

  function applyStatus(status: AppStatus): void {
    renderHotkeys(hotkeysCard, hotkeysText, status.hotkeys);
    shell.renderMinimized(status.ui.minimized);
    applyVault(status.vault);
    app.setAttribute('aria-busy', 'false');
  }

  function readinessText(status: AppStatus): string {
    if (status.ready) return 'Ready.';
    const mode = vaultMode(status.vault);
    return mode === 'setup' ? 'Not set up: add an exchange account to trade.' : mode === 'locked' ? 'Locked: unlock a profile to trade.' : 'Connecting to the exchange…';
  }

  /** Status and trading snapshot, asked for together (neither waits for the other's round trip). */
  async function refresh(): Promise<void> {
    refreshing = true;
    const statusAnswer = ctx.request({ type: 'app.status' });
    const snapshotAnswer = unlocked || shell.expectsUnlocked() ? ctx.request({ type: 'trading.snapshot' }) : undefined;
    const r = await statusAnswer;
    // Loading is over either way: a failed status is shown as an error, not as an endless busy panel.
    app.setAttribute('aria-busy', 'false');
    if (!r.ok) {
      refreshing = false;
      shell.live(false);
      return ctx.status.error(r.error);
    }
    applyStatus(r.value);
    refreshing = false;
    ctx.status.show(readinessText(r.value));
    if (unlocked) await loadTrading(snapshotAnswer);
    else applySnapshot(undefined);
    shell.live();
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

  byId<HTMLButtonElement>('hotkeys-fix').addEventListener('click', () => {
    void ctx.request({ type: 'hotkeys.openSettings' }).then((r) => {
      if (!r.ok) ctx.status.error(r.error);
    });
  });

  onEvents(onEvent, () => void refresh());
  void refresh();
  // Bindings change on chrome://extensions/shortcuts while the panel is open: re-check when the trader comes back.
  const recheckHotkeys = (): void => {
    void ctx.request({ type: 'hotkeys.check' }).then((r) => (r.ok ? renderHotkeys(hotkeysCard, hotkeysText, r.value) : ctx.status.error(r.error)));
  };
  window.addEventListener('focus', recheckHotkeys);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') recheckHotkeys();
  });
  onTab(shell.selectedPanel());
  return { onTab, onSymbol: redrawChart };
}
