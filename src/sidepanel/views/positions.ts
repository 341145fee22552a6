/**
 * Positions and open orders, rebuilt from every `trading` snapshot. One Close per position, one Cancel per order,
 * Cancel all; FLATTEN lives in the action bar so it is reachable in the minimized panel too.
 */
import type { TradingSnapshot, PositionView } from '../../shared/messages.ts';
import { h, replaceChildren } from '../dom.ts';
import { plain } from '../format.ts';
import {
  closeButtonId,
  direction,
  entryText,
  idToken,
  liqText,
  pnlPercentText,
  pnlSign,
  pnlText,
  positionRowId,
  protectionText,
  roeText,
  sizeText,
  tierText,
  unprotectedText,
} from '../positions-model.ts';
import type { PanelContext } from '../context.ts';

export interface PositionsView {
  /** Rebuilds both tables; `undefined` (locked, not connected) empties them. */
  render(snapshot: TradingSnapshot | undefined): void;
}

type Order = TradingSnapshot['orders'][number];

const pnlClass = (x: string): string => ['neg', 'flat', 'pos'][pnlSign(x) + 1] ?? 'flat';

/** Two stacked lines in one cell: keeps the table within a 360 px panel. */
const stacked = (first: string | Node, second: string | Node, cls = ''): HTMLTableCellElement =>
  h('td', { class: cls }, h('span', { class: 'line' }, first), h('span', { class: 'line sub' }, second));

export function createPositionsView(ctx: PanelContext, root: HTMLElement): PositionsView {
  const positionsBody = h('tbody', { id: 'positions-rows' });
  const ordersBody = h('tbody', { id: 'orders-rows' });
  const noPositions = h('p', { id: 'positions-empty', class: 'muted' }, 'No open position.');
  const noOrders = h('p', { id: 'orders-empty', class: 'muted' }, 'No open order.');
  const cancelAll = h('button', { id: 'cancel-all', type: 'button' }, 'Cancel all orders');

  const positionsTable = h(
    'table',
    { id: 'positions-table', class: 'grid' },
    h('caption', { class: 'visually-hidden' }, 'Open positions'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Position'),
        h('th', { scope: 'col' }, 'Entry / mark'),
        h('th', { scope: 'col' }, 'PnL / ROE'),
        h('th', { scope: 'col' }, 'Stop / ASL / liq.'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Action')),
      ),
    ),
    positionsBody,
  );
  const ordersTable = h(
    'table',
    { id: 'orders-table', class: 'grid' },
    h('caption', { class: 'visually-hidden' }, 'Open orders'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Order'),
        h('th', { scope: 'col' }, 'Qty @ price'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Action')),
      ),
    ),
    ordersBody,
  );

  replaceChildren(
    root,
    h('h2', {}, 'Positions'),
    h('div', { class: 'table-wrap', role: 'region', 'aria-label': 'Positions', tabindex: '0' }, positionsTable),
    noPositions,
    h(
      'p',
      { class: 'note' },
      'ASL tiers are measured on the mark price’s move from entry, not on leveraged ROE: at 10× a 1 % move is 10 % ROE but reaches only a 1 % tier.',
    ),
    h('div', { class: 'row spread' }, h('h2', {}, 'Open orders'), cancelAll),
    h('div', { class: 'table-wrap', role: 'region', 'aria-label': 'Open orders', tabindex: '0' }, ordersTable),
    noOrders,
  );

  function positionRow(p: PositionView): HTMLTableRowElement {
    const dir = direction(p);
    const close = h('button', { id: closeButtonId(p), type: 'button', class: 'close', 'aria-label': `Close ${p.symbol} ${dir} position` }, 'Close');
    close.addEventListener('click', () => {
      close.disabled = true;
      ctx.status.show(`Closing ${p.symbol} ${dir}…`);
      void ctx.request({ type: 'position.close', symbol: p.symbol, positionSide: p.positionSide }).then((r) => {
        close.disabled = false;
        if (!r.ok) return ctx.status.error(r.error);
        ctx.status.show(`Close order for ${p.symbol} ${dir} sent (${r.value.clientOrderId}).`);
      });
    });
    const unprotected = p.stopPrice === undefined;
    return h(
      'tr',
      { id: positionRowId(p), class: `position-row ${dir.toLowerCase()}`, 'data-symbol': p.symbol },
      stacked(h('strong', {}, p.symbol), `${dir} ${sizeText(p)} · ${p.leverage}×`),
      stacked(entryText(p), plain(p.markPrice)),
      stacked(pnlText(p), `${pnlPercentText(p)} · ${roeText(p)}`, pnlClass(p.unrealizedPnl)),
      h(
        'td',
        { class: unprotected ? 'danger-text' : '' },
        h('span', { class: 'line' }, protectionText(p)),
        h('span', { class: 'line sub' }, tierText(p)),
        h('span', { class: 'line sub' }, `liq. ${liqText(p)}`),
        unprotectedText(p) === '' ? null : h('span', { class: 'line sub' }, unprotectedText(p)),
      ),
      h('td', {}, close),
    );
  }

  function orderRow(o: Order): HTMLTableRowElement {
    // The accessible name leaves out the side: a button named "… SELL …" would collide with the SELL button.
    const cancel = h(
      'button',
      { id: `cancel-${idToken(o.clientId)}`, type: 'button', 'aria-label': `Cancel ${o.protective ? 'protective ' : ''}order ${o.clientId} on ${o.symbol}` },
      'Cancel',
    );
    cancel.addEventListener('click', () => {
      cancel.disabled = true;
      void ctx.request({ type: 'order.cancel', symbol: o.symbol, kind: o.kind, clientId: o.clientId }).then((r) => {
        cancel.disabled = false;
        if (!r.ok) return ctx.status.error(r.error);
        ctx.status.show(`Order ${o.clientId} canceled.`);
      });
    });
    return h(
      'tr',
      { id: `order-${idToken(o.clientId)}`, class: `order-row${o.protective ? ' protective' : ''}`, 'data-symbol': o.symbol },
      stacked(h('strong', {}, o.symbol), `${o.side} ${o.type}`),
      stacked(plain(o.quantity), plain(o.price)),
      stacked(o.status, o.protective ? 'protective (ours)' : o.kind === 'algo' ? 'conditional' : ''),
      h('td', {}, cancel),
    );
  }

  cancelAll.addEventListener('click', () => {
    cancelAll.disabled = true;
    void ctx.request({ type: 'orders.cancelAll' }).then((r) => {
      cancelAll.disabled = false;
      if (!r.ok) return ctx.status.error(r.error);
      ctx.status.show(`${r.value.canceled} order${r.value.canceled === 1 ? '' : 's'} canceled.`);
    });
  });

  return {
    render(snapshot) {
      const positions = snapshot?.positions ?? [];
      const orders = snapshot?.orders ?? [];
      // Keep keyboard focus across a rebuild: the row's button is recreated with the same id.
      const focusedId = root.contains(document.activeElement) ? document.activeElement?.id : undefined;
      replaceChildren(positionsBody, ...positions.map(positionRow));
      replaceChildren(ordersBody, ...orders.map(orderRow));
      positionsTable.hidden = positions.length === 0;
      noPositions.hidden = positions.length > 0;
      ordersTable.hidden = orders.length === 0;
      noOrders.hidden = orders.length > 0;
      cancelAll.disabled = orders.length === 0;
      if (focusedId !== undefined && focusedId !== '') document.getElementById(focusedId)?.focus();
    },
  };
}
