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
import { vaultMode } from './vault.ts';

export interface ActionBar {
  trading(snapshot: TradingSnapshot | undefined): void;
  vault(vault: VaultStatus): void;
}

/** "BUY 0.01 BTCUSDT FILLED via WS · ack 6.2 ms (signed 0.4 ms, sent 0.9 ms)" */
export function ackText(ack: OrderAck): string {
  const l = ack.latency;
  return `${ack.side} ${ack.quantity} ${ack.symbol} ${ack.status} via ${ack.via.toUpperCase()} · ack ${formatMs(l.ackMs)} (signed ${formatMs(l.signedMs)}, sent ${formatMs(l.sentMs)})`;
}

export function createActionBar(ctx: PanelContext, ticket: TicketView): ActionBar {
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
  let lastSnapshot: TradingSnapshot | undefined;

  async function send(side: Side, inputAtMs: number): Promise<void> {
    const button = buttons[side];
    button.disabled = true;
    try {
      if (!(await ticket.readyToSend())) return;
      ctx.status.show(`Sending ${side}…`);
      const r = await ctx.request({ type: 'order.submit', side, source: 'panel', inputAtMs });
      if (!r.ok) return ctx.status.error(r.error);
      ctx.status.show(ackText(r.value));
      latencyEl.textContent = `last ${formatMs(r.value.latency.ackMs)}`;
    } finally {
      button.disabled = false;
    }
  }

  function hideConfirm(): void {
    pendingSide = undefined;
    confirmCard.hidden = true;
  }

  async function click(side: Side): Promise<void> {
    const inputAtMs = ctx.now();
    if (!ticket.confirmRequired()) return send(side, inputAtMs);
    if (!(await ticket.readyToSend())) return;
    pendingSide = side;
    confirmText.textContent = `Send ${ticket.describe(side)}?`;
    confirmCard.hidden = false;
    confirmSend.classList.toggle('buy', side === 'BUY');
    confirmSend.classList.toggle('sell', side === 'SELL');
    confirmSend.focus();
  }

  for (const side of ['BUY', 'SELL'] as const) buttons[side].addEventListener('click', () => void click(side));
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
    const inputAtMs = ctx.now();
    flatten.disabled = true;
    ctx.status.show('Flattening: canceling every order and closing every position…');
    void ctx.request({ type: 'flatten', source: 'panel', inputAtMs }).then((r) => {
      flatten.disabled = false;
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
  };
}
