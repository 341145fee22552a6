/**
 * The panel's current ticket, kept by the background because a hotkey places "the panel's current ticket" even
 * when no panel is open. Stored in chrome.storage.local and parsed on read; a missing or unreadable ticket falls
 * back to a small default rather than a guess.
 */
import { TicketSchema, type Ticket } from '../shared/messages.ts';

const KEY = 'ticket.v1';

export const DEFAULT_TICKET: Ticket = {
  symbol: 'BTCUSDT',
  sizeMode: 'quantity',
  size: '0.002',
  leverage: 10,
  orderType: 'MARKET',
  postOnly: false,
  reduceOnly: false,
};

let cached: Ticket | null = null;

export async function readTicket(): Promise<Ticket> {
  if (cached !== null) return cached;
  const stored = await chrome.storage.local.get(KEY);
  // A ticket written while this read was on its way is newer than what storage answered: a hotkey must not place
  // the one the trader just replaced.
  if (cached !== null) return cached;
  const parsed = TicketSchema.safeParse(stored[KEY]);
  cached = parsed.success ? parsed.data : DEFAULT_TICKET;
  return cached;
}

export async function writeTicket(ticket: Ticket): Promise<Ticket> {
  cached = TicketSchema.parse(ticket);
  await chrome.storage.local.set({ [KEY]: cached });
  return cached;
}
