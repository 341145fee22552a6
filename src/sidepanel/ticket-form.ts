/**
 * The order ticket as typed -> the contract's `Ticket`, and back. Pure: the view reads its inputs into
 * `TicketValues`, this module says what is wrong in words, and the background stays the judge of exchange rules
 * (tick size, step size, min notional), whose specific message and suggestion the view shows as they come.
 */
import type { Ticket, TicketSchema } from '../shared/messages.ts';
import { gt, gte, isDecimal, normalize } from '../shared/decimal.ts';

export type SizeMode = Ticket['sizeMode'];

/** Every ticket input as text or a tick, exactly as the form holds it. */
export interface TicketValues {
  readonly symbol: string;
  readonly sizeMode: string;
  readonly size: string;
  readonly stopPercent: string;
  readonly leverage: string;
  readonly orderType: string;
  readonly price: string;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
}

export type TicketField = keyof TicketValues;

export type TicketCheck = { ok: true; ticket: Ticket } | { ok: false; field: TicketField; message: string };

const SIZE_MODES: readonly SizeMode[] = ['quantity', 'notional', 'balancePercent', 'risk'];

/** Trader-facing names of the size modes, in the select's order. */
export const SIZE_MODE_LABEL: Record<SizeMode, string> = {
  quantity: 'Quantity',
  notional: 'USDT notional',
  balancePercent: '% of available balance',
  risk: 'Risk (USDT lost at the stop)',
};

export const sizeModes = (): readonly SizeMode[] => SIZE_MODES;

/** The base asset of a USDT-margined symbol ("BTCUSDT" -> "BTC"); the symbol itself when it has another quote. */
export function baseAsset(symbol: string): string {
  for (const quote of ['USDT', 'USDC', 'BUSD']) {
    if (symbol.endsWith(quote) && symbol.length > quote.length) return symbol.slice(0, -quote.length);
  }
  return symbol;
}

/** Label of the size input for the chosen mode ("Size (BTC)", "Size (USDT)", "Size (% of available)"). */
export function sizeUnit(mode: string, symbol: string): string {
  switch (mode) {
    case 'quantity':
      return symbol === '' ? 'Size (base units)' : `Size (${baseAsset(symbol)})`;
    case 'notional':
      return 'Size (USDT notional)';
    case 'balancePercent':
      return 'Size (% of available balance)';
    case 'risk':
      return 'Risk (USDT at the stop)';
    default:
      return 'Size';
  }
}

const fail = (field: TicketField, message: string): TicketCheck => ({ ok: false, field, message });

/** A positive decimal as typed ("1,5" is read as "1.5"; spaces are dropped), or undefined. */
function positiveDecimal(text: string): string | undefined {
  const t = text.trim().replace(',', '.');
  if (!isDecimal(t) || t.startsWith('-')) return undefined;
  const n = normalize(t);
  return gt(n, '0') ? n : undefined;
}

/** The contract's ticket parser (passed in: the panel loads the contract after its first paint, see contract.ts). */
export type TicketParser = Pick<typeof TicketSchema, 'safeParse'>;

/** Validates the form and builds the ticket (parsed by the contract's `schema`), or names the first field to fix. */
export function valuesToTicket(v: TicketValues, schema: TicketParser): TicketCheck {
  const symbol = v.symbol.trim().toUpperCase();
  if (!/^[A-Z0-9]{2,20}$/.test(symbol)) return fail('symbol', 'Choose a symbol from the list, for example BTCUSDT.');
  if (!SIZE_MODES.includes(v.sizeMode as SizeMode)) return fail('sizeMode', 'Choose how the size is measured.');
  const sizeMode = v.sizeMode as SizeMode;
  const size = positiveDecimal(v.size);
  if (size === undefined) return fail('size', 'Enter a size above zero, like 0.01.');
  if (sizeMode === 'balancePercent' && gt(size, '100')) return fail('size', 'A share of the balance is at most 100 %.');

  let stopPercent: string | undefined;
  if (v.stopPercent.trim() !== '') {
    stopPercent = positiveDecimal(v.stopPercent);
    if (stopPercent === undefined || gte(stopPercent, '100')) {
      return fail('stopPercent', 'The stop distance is a percentage of the entry above 0 and below 100, like 1.5.');
    }
  }
  if (sizeMode === 'risk' && stopPercent === undefined) {
    return fail('stopPercent', 'Risk sizing divides the risk by the stop distance: enter a stop %.');
  }

  const leverage = Number(v.leverage.trim());
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > 125) {
    return fail('leverage', 'Leverage is a whole number from 1 to 125 (the symbol’s bracket may allow less).');
  }

  if (v.orderType !== 'MARKET' && v.orderType !== 'LIMIT') return fail('orderType', 'Choose MARKET or LIMIT.');
  let price: string | undefined;
  if (v.orderType === 'LIMIT') {
    price = positiveDecimal(v.price);
    if (price === undefined) return fail('price', 'A LIMIT order needs a price above zero.');
  }

  const candidate: Ticket = {
    symbol,
    sizeMode,
    size,
    ...(stopPercent !== undefined ? { stopPercent } : {}),
    leverage,
    orderType: v.orderType,
    ...(price !== undefined ? { price } : {}),
    // Post-only (GTX) exists only for LIMIT orders (fact sheet: timeInForce GTX).
    postOnly: v.orderType === 'LIMIT' && v.postOnly,
    reduceOnly: v.reduceOnly,
  };
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? 'size');
    return fail(isTicketField(key) ? key : 'size', issue?.message ?? 'The ticket does not fit the contract.');
  }
  return { ok: true, ticket: parsed.data };
}

const FIELDS: readonly TicketField[] = ['symbol', 'sizeMode', 'size', 'stopPercent', 'leverage', 'orderType', 'price', 'postOnly', 'reduceOnly'];

export const isTicketField = (key: string): key is TicketField => (FIELDS as readonly string[]).includes(key);

/** The form's values for a saved ticket. */
export function ticketToValues(t: Ticket): TicketValues {
  return {
    symbol: t.symbol,
    sizeMode: t.sizeMode,
    size: t.size,
    stopPercent: t.stopPercent ?? '',
    leverage: String(t.leverage),
    orderType: t.orderType,
    price: t.price ?? '',
    postOnly: t.postOnly,
    reduceOnly: t.reduceOnly,
  };
}

/**
 * Applies the background's suggestion (nearest valid values, keyed by ticket field) to the form values. Keys that
 * are not ticket text fields are ignored: a suggestion cannot tick a box or change the order type behind the
 * trader's back.
 */
export function applySuggestion(v: TicketValues, suggestion: Record<string, string>): TicketValues {
  return {
    ...v,
    symbol: suggestion.symbol ?? v.symbol,
    size: suggestion.size ?? v.size,
    stopPercent: suggestion.stopPercent ?? v.stopPercent,
    leverage: suggestion.leverage ?? v.leverage,
    price: suggestion.price ?? v.price,
  };
}

/** "size 0.001, price 50000.1": the suggestion in words, for the button that applies it. */
export function describeSuggestion(suggestion: Record<string, string>): string {
  return Object.entries(suggestion)
    .map(([k, v]) => `${k === 'stopPercent' ? 'stop %' : k} ${v}`)
    .join(', ');
}

/** Field-by-field equality of two tickets (the saved one and the one on screen). */
export function sameTicket(a: Ticket, b: Ticket): boolean {
  return (
    a.symbol === b.symbol &&
    a.sizeMode === b.sizeMode &&
    a.size === b.size &&
    a.stopPercent === b.stopPercent &&
    a.leverage === b.leverage &&
    a.orderType === b.orderType &&
    a.price === b.price &&
    a.postOnly === b.postOnly &&
    a.reduceOnly === b.reduceOnly
  );
}

/** Field-by-field equality of two sets of form values (a restored ticket and the live one). */
export function sameValues(a: TicketValues, b: TicketValues): boolean {
  return FIELDS.every((f) => a[f] === b[f]);
}
