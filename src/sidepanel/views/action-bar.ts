/**
 * The action bar: BUY, SELL and FLATTEN, the position and its PnL, the last order's latency and the connection.
 * It is the whole panel when minimized. A click's time is taken first, before anything awaits, so the journal's
 * latency breakdown starts at the trader's input.
 */
import type { OrderAck, Side, TradingSnapshot, VaultStatus } from '../../shared/messages.ts';
import { byId } from '../dom.ts';
import { connectionHealth, formatMs } from '../format.ts';
import { barPosition, pnlSign, summary } from '../positions-model.ts';
import type { PanelContext } from '../context.ts';
import type { TicketView } from './ticket.ts';
import { vaultMode } from '../vault-model.ts';

export interface ActionBar {
  trading(snapshot: TradingSnapshot | undefined): void;
  vault(vault: VaultStatus): void;
  /** The last known lock state, shown as refreshing until `vault` and `trading` bring the live one. */
  restore(unlocked: boolean): void;
}

/**
 * Asked before every order leaves the panel, with the click's time: resolves false, with the reason already shown,
 * when the order must not go. The shell uses it to hold a click made on a restored state until the live state is
 * here, and to refuse it when the live state differs from what the trader saw.
 */
export type SendGuard = (inputAtMs: number) => Promise<boolean>;

/** "BUY 0.01 BTCUSDT FILLED via WS · ack 6.2 ms (signed 0.4 ms, sent 0.9 ms)" */
export function ackText(ack: OrderAck): string {
  const l = ack.latency;
  return `${ack.side} ${ack.quantity} ${ack.symbol} ${ack.status} via ${ack.via.toUpperCase()} · ack ${formatMs(l.ackMs)} (signed ${formatMs(l.signedMs)}, sent ${formatMs(l.sentMs)})`;
}

export function createActionBar(ctx: PanelContext, ticket: TicketView, guard: SendGuard = async () => true): ActionBar {
  const buttons: Record<Side, HTMLButtonElement> = { BUY: byId('buy'), SELL: byId('sell') };
  const flatten = byId<HTMLButtonElement>('flatten');
  const confirmCard = byId<HTMLElement>('confirm-card');
  const confirmText = byId<HTMLElement>('confirm-text');
  const confirmSend = byId<HTMLButtonElement>('confirm-send');
  const confirmBack = byId<HTMLButtonElement>('confirm-back');
  const positionEl = byId<HTMLElement>('bar-position');
  const latencyEl = byId<HTMLElement>('bar-latency');
  const connEl = byId<HTMLElement>('bar-conn');

  let pendingSide: Side | undefined;
  let locked = true;
  let restoring = false;
  let lastSnapshot: TradingSnapshot | undefined;

  /**
   * A button busy with its request: marked aria-disabled and ignored, not `disabled`, because disabling the focused
   * button drops keyboard focus to <body> and the trader loses their place (tests/e2e/keyboard.test.ts).
   */
  const busy = (button: HTMLButtonElement, on: boolean): void => {
    if (on) button.setAttribute('aria-disabled', 'true');
    else button.removeAttribute('aria-disabled');
  };
  const isBusy = (button: HTMLButtonElement): boolean => button.getAttribute('aria-disabled') === 'true';

  async function send(side: Side, inputAtMs: number): Promise<void> {
    const button = buttons[side];
    busy(button, true);
    try {
      if (!(await guard(inputAtMs))) return;
      if (!(await ticket.readyToSend())) return;
      ctx.status.show(`Sending ${side}…`);
      const r = await ctx.request({ type: 'order.submit', side, source: 'panel', inputAtMs });
      if (!r.ok) return ctx.status.error(r.error);
      ctx.status.show(ackText(r.value));
      latencyEl.textContent = `last ${formatMs(r.value.latency.ackMs)}`;
    } finally {
      busy(button, false);
    }
  }

  function hideConfirm(): void {
    pendingSide = undefined;
    confirmCard.hidden = true;
  }

  async function click(side: Side): Promise<void> {
    const inputAtMs = ctx.now();
    if (!ticket.confirmRequired()) return send(side, inputAtMs);
    // The confirmation describes the live ticket, so a restored state is replaced before it is shown.
    if (!(await guard(inputAtMs)) || !(await ticket.readyToSend())) return;
    pendingSide = side;
    confirmText.textContent = `Send ${ticket.describe(side)}?`;
    confirmCard.hidden = false;
    confirmSend.classList.toggle('buy', side === 'BUY');
    confirmSend.classList.toggle('sell', side === 'SELL');
    confirmSend.focus();
  }

  for (const side of ['BUY', 'SELL'] as const) {
    buttons[side].addEventListener('click', () => {
      if (!isBusy(buttons[side])) void click(side);
    });
  }
  confirmSend.addEventListener('click', () => {
    const side = pendingSide;
    if (side === undefined) return;
    // With a confirmation step the order is sent at the confirming click: that is the input being measured.
    const inputAtMs = ctx.now();
    hideConfirm();
    void send(side, inputAtMs);
    buttons[side].focus();
  });
  confirmBack.addEventListener('click', () => {
    const side = pendingSide;
    hideConfirm();
    ctx.status.show('Not sent.');
    if (side !== undefined) buttons[side].focus();
  });
  confirmCard.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') confirmBack.click();
  });

  flatten.addEventListener('click', () => {
    if (isBusy(flatten)) return;
    const inputAtMs = ctx.now();
    busy(flatten, true);
    ctx.status.show('Flattening: canceling every order and closing every position…');
    void ctx.request({ type: 'flatten', source: 'panel', inputAtMs }).then((r) => {
      busy(flatten, false);
      if (!r.ok) return ctx.status.error(r.error);
      const { closedPositions, canceledOrders } = r.value;
      ctx.status.show(
        `Flattened: ${closedPositions} position${closedPositions === 1 ? '' : 's'} closed, ${canceledOrders} order${canceledOrders === 1 ? '' : 's'} canceled.`,
      );
    });
  });

  function renderPosition(): void {
    positionEl.classList.remove('pos', 'neg');
    if (locked) {
      positionEl.textContent = 'Vault locked';
      return;
    }
    if (restoring) {
      positionEl.textContent = 'Position: refreshing…';
      return;
    }
    const pick = lastSnapshot === undefined ? undefined : barPosition(lastSnapshot.positions, ticket.symbol());
    if (pick === undefined) {
      positionEl.textContent = 'No position';
      return;
    }
    positionEl.textContent = `${summary(pick.position)}${pick.more > 0 ? ` · +${pick.more} more` : ''}`;
    const sign = pnlSign(pick.position.unrealizedPnl);
    if (sign !== 0) positionEl.classList.add(sign > 0 ? 'pos' : 'neg');
  }

  return {
    trading(snapshot) {
      restoring = false;
      lastSnapshot = snapshot;
      renderPosition();
      if (snapshot === undefined) {
        connEl.textContent = '● offline';
        connEl.className = 'conn-dot bad';
        connEl.setAttribute('aria-label', 'Connection: not connected');
        return;
      }
      const health = connectionHealth(snapshot.connection);
      connEl.textContent = `● ${health === 'ok' ? 'live' : health}`;
      connEl.className = `conn-dot ${health === 'ok' ? 'ok' : health === 'down' ? 'bad' : 'warn'}`;
      connEl.setAttribute('aria-label', `Connection: ${health}`);
    },
    vault(vault) {
      locked = vaultMode(vault) !== 'unlocked';
      renderPosition();
    },
    restore(unlocked) {
      locked = !unlocked;
      restoring = true;
      renderPosition();
      connEl.textContent = '● refreshing';
      connEl.className = 'conn-dot warn';
      connEl.setAttribute('aria-label', 'Connection: refreshing');
    },
  };
}
