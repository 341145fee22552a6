/** Request handlers for trading: the ticket, previews, orders, positions, cancels, flatten and the journal. */
import type { HandlerMap } from '../router.ts';
import * as manager from '../trading/manager.ts';
import * as journal from '../activity-log.ts';
import { readTicket, writeTicket } from '../ticket-store.ts';
import { vault } from '../services.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import type { OrderAck, RequestOf } from '../../shared/messages.ts';
import type { TradingSession } from '../trading/session.ts';

type TradingKeys =
  | 'order.submit'
  | 'ticket.set'
  | 'ticket.preview'
  | 'trading.snapshot'
  | 'position.close'
  | 'order.cancel'
  | 'orders.cancelAll'
  | 'flatten'
  | 'journal.query'
  | 'journal.export';

/** The panel's ticket, or for a hotkey on a market tab the same ticket on that tab's symbol. */
async function submitTicket(session: TradingSession, req: RequestOf<'order.submit'>, receivedAt: number): Promise<Result<OrderAck>> {
  const ticket = await readTicket();
  if (req.symbol === undefined || req.symbol === ticket.symbol) return session.submit(ticket, req.side, req.inputAtMs, receivedAt);
  // A quantity is in the ticket symbol's base unit: 100 SOL is not 100 BTC. Only unit-free sizes carry over.
  if (ticket.sizeMode === 'quantity') {
    return err(
      'VALIDATION',
      `This tab shows ${req.symbol} but the ticket's size is a ${ticket.symbol} quantity. Size the ticket in USDT, % of balance or risk to trade the tab's symbol by hotkey. No order was sent.`,
    );
  }
  return session.submit({ ...ticket, symbol: req.symbol }, req.side, req.inputAtMs, receivedAt);
}

export const tradingHandlers = {
  'order.submit': async (req, { receivedAt }) => {
    const s = await manager.session();
    if (!s.ok) return s;
    // A trader's own action is activity: it pushes the auto-lock back, once the order has left.
    const answer = await submitTicket(s.value, req, receivedAt);
    void vault.touch();
    return answer;
  },
  'ticket.set': async (req) => {
    const ticket = await writeTicket(req.ticket);
    const s = await manager.running();
    if (s !== null) {
      s.setSymbolInView(ticket.symbol);
      await s.applyLeverage(ticket.symbol, ticket.leverage);
    }
    return ok(ticket);
  },
  'ticket.preview': async (req) => {
    const s = await manager.session();
    return s.ok ? s.value.preview(req.ticket, req.side) : s;
  },
  'trading.snapshot': async () => {
    const s = await manager.session();
    if (!s.ok) return s;
    // A just-woken worker answers with the account it has read, not with an empty one.
    await s.value.connected;
    return ok(s.value.snapshot(await readTicket()));
  },
  'position.close': async (req) => {
    void vault.touch();
    const s = await manager.session();
    return s.ok ? s.value.closePosition(req.symbol, req.positionSide) : s;
  },
  'order.cancel': async (req) => {
    void vault.touch();
    const s = await manager.session();
    return s.ok ? s.value.cancel(req.kind, req.symbol, req.clientId) : s;
  },
  'orders.cancelAll': async () => {
    void vault.touch();
    const s = await manager.session();
    return s.ok ? s.value.cancelAll() : s;
  },
  flatten: async () => {
    void vault.touch();
    const s = await manager.session();
    return s.ok ? s.value.flatten() : s;
  },
  'journal.query': async (req) => ok(await journal.query(req.text, req.limit)),
  'journal.export': async () => ok({ csv: await journal.exportCsv() }),
} satisfies Pick<HandlerMap, TradingKeys>;
