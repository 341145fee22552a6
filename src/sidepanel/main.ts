/**
 * The side panel's boot. A new panel paints the last known state at once (boot-state.ts: environment, lock state,
 * the saved ticket, minimized or not), marked as refreshing, with the ticket and BUY/SELL working; app.ts (the
 * contract, the bridge and the other views) loads right behind it and replaces that state with the live one.
 * Nothing here imports the contract's schemas (see contract.ts for why), and no order leaves on a restored state:
 * the action bar's guard holds a click until the live state is on screen and refuses it when the environment or
 * the lock state differed from what the trader saw (the ticket view does the same for the ticket).
 *
 * Without a restorable state (first run, locked, set-up) the panel stays busy until the background answers, as
 * the unlock and set-up forms need the live vault status.
 */
import type { Environment } from '../shared/messages.ts';
import type { App, Shell } from './app.ts';
import { byId } from './dom.ts';
import { statusSink, type PanelContext, type Requester } from './context.ts';
import { pageStore } from './preferences.ts';
import { readBootState, writeBootState } from './boot-state.ts';
import { ENVIRONMENT_BADGE } from './format.ts';
import { loadContract } from './contract.ts';
import type { VaultMode } from './vault-model.ts';
import { createTicketView } from './views/ticket.ts';
import { createActionBar } from './views/action-bar.ts';
import { setupTabs } from './views/tabs.ts';

/** How long a click on a restored state waits for the live one before it is refused. */
const LIVE_WAIT_MS = 5_000;

// The bridge (and with it the contract) loads once the first paint is built: started earlier, vite's preload of
// their chunks competes with that paint for the main thread.
let bridge: Promise<typeof import('./bridge.ts')> | undefined;
const request: Requester = async (req) => (await (bridge ??= import('./bridge.ts'))).request(req);

const ctx: PanelContext = { request, status: statusSink(byId('status')), store: pageStore(), now: () => Date.now() };

const app = byId<HTMLElement>('app');
const minimizeButton = byId<HTMLButtonElement>('minimize');
const envBadge = byId<HTMLElement>('env');
const freshness = byId<HTMLElement>('freshness');

const boot = readBootState(ctx.store);
const restoring = boot !== undefined && boot.mode === 'unlocked' && boot.ticket !== null;
let liveState: { mode: VaultMode; environment: Environment | undefined } | undefined;
/** The live environment or lock state differed from the restored one. */
let restoredDiffered = false;
/** The live state has been on screen at least once. */
let liveSeen = false;
/** When the live state first replaced the restored one (ms, the clicks' clock). */
let liveAtMs = 0;
let wake: () => void = () => undefined;
/** Settles at the end of the next refresh, whatever its outcome. */
let refreshed = new Promise<void>((resolve) => (wake = resolve));
let appApi: App | undefined;
let selectedPanel = 'panel-trade';

const ticket = createTicketView(ctx, byId('ticket'), { onSymbol: () => appApi?.onSymbol(), onSaved: remember });
const actionBar = createActionBar(ctx, ticket, guard);
const tabs = setupTabs(byId('tabs'), (panelId) => {
  selectedPanel = panelId;
  appApi?.onTab(panelId);
});

function renderMinimized(minimized: boolean): void {
  app.classList.toggle('minimized', minimized);
  minimizeButton.setAttribute('aria-pressed', String(minimized));
  minimizeButton.setAttribute('aria-label', minimized ? 'Restore the full panel' : 'Minimize to action bar');
  minimizeButton.textContent = minimized ? '▢' : '▁';
}

function renderEnvironment(env: Environment | undefined, stale = false): void {
  // Mainnet trades real money: the header says so in red in every state, minimized included.
  envBadge.textContent = env === undefined ? '' : ENVIRONMENT_BADGE[env];
  envBadge.className = `env${env === undefined ? '' : ` env-${env}`}${env === 'mainnet' ? ' mainnet' : ''}${stale ? ' stale' : ''}`;
  const what = env === undefined ? 'none unlocked' : `${ENVIRONMENT_BADGE[env]}${env === 'mainnet' ? ', real money' : ''}`;
  envBadge.setAttribute('aria-label', `Environment: ${what}${stale ? ' (last known, refreshing)' : ''}`);
}

/** Saves what the next panel paints first: the live lock state and environment, and the background's ticket. */
function remember(): void {
  if (liveState === undefined) return;
  writeBootState(ctx.store, {
    minimized: app.classList.contains('minimized'),
    mode: liveState.mode,
    environment: liveState.environment ?? null,
    ticket: ticket.savedValues() ?? null,
  });
}

/**
 * A click made while the restored state was on screen waits for the live one and goes only if the live state is
 * what the trader saw: same lock state and environment, same ticket (the ticket view compares that one).
 */
async function guard(inputAtMs: number): Promise<boolean> {
  if (!restoring) return true;
  if (!liveSeen) await Promise.race([refreshed, new Promise<void>((resolve) => setTimeout(resolve, LIVE_WAIT_MS))]);
  if (!liveSeen) {
    ctx.status.show('Not sent: the panel could not read the live account state from the background yet.', true);
    return false;
  }
  if (inputAtMs < liveAtMs && restoredDiffered) {
    ctx.status.show('Not sent: the account shown while loading was out of date; the panel now shows the live one. Check it and click again.', true);
    return false;
  }
  if (inputAtMs < liveAtMs && ticket.liveDiffered()) {
    ctx.status.show('Not sent: the saved ticket had changed since this panel last showed it; the form now shows the saved one. Check it and click again.', true);
    return false;
  }
  return true;
}

const shell: Shell = {
  ctx,
  ticket,
  actionBar,
  tabs,
  selectedPanel: () => selectedPanel,
  expectsUnlocked: () => restoring,
  renderMinimized: (minimized) => {
    renderMinimized(minimized);
    remember();
  },
  renderEnvironment: (env) => renderEnvironment(env, false),
  state(state) {
    if (liveState === undefined && restoring && (state.mode !== boot?.mode || state.environment !== (boot?.environment ?? undefined))) {
      restoredDiffered = true;
    }
    liveState = state;
    remember();
  },
  remember,
  live(ok = true) {
    if (ok && !liveSeen) {
      liveSeen = true;
      liveAtMs = ctx.now();
      app.classList.remove('restoring');
      freshness.hidden = true;
    }
    wake();
    refreshed = new Promise<void>((resolve) => (wake = resolve));
  },
};

minimizeButton.addEventListener('click', () => {
  const minimized = !app.classList.contains('minimized');
  renderMinimized(minimized);
  remember();
  void request({ type: 'ui.setMinimized', minimized }).then((r) => {
    if (!r.ok) ctx.status.error(r.error);
  });
});
window.addEventListener('pagehide', remember);

renderMinimized(boot?.minimized ?? false);
if (restoring && boot.ticket !== null) {
  // The first paint: the last known state, visibly marked as refreshing, and usable (see the guard above).
  const env = boot.environment ?? undefined;
  renderEnvironment(env, true);
  ticket.setEnvironment(env);
  ticket.restore(boot.ticket);
  actionBar.restore(true);
  app.classList.add('restoring');
  freshness.hidden = false;
  ctx.status.show('Showing the last known state; refreshing from the background…');
  app.setAttribute('aria-busy', 'false');
}

bridge ??= import('./bridge.ts');
void loadContract();
void import('./app.ts').then((m) => {
  appApi = m.startApp(shell);
});
