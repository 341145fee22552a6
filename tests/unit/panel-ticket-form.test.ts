// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import {
  applySuggestion,
  baseAsset,
  describeSuggestion,
  sameTicket,
  sizeUnit,
  ticketToValues,
  valuesToTicket,
  type TicketValues,
} from '../../src/sidepanel/ticket-form.ts';
import { TicketSchema } from '../../src/shared/messages.ts';

const form: TicketValues = {
  symbol: ' btcusdt ',
  sizeMode: 'quantity',
  size: '0.010',
  stopPercent: '',
  leverage: '10',
  orderType: 'MARKET',
  price: '123',
  postOnly: true,
  reduceOnly: false,
};

describe('ticket form -> Ticket', () => {
  it('normalises what was typed and leaves out what does not apply to MARKET', () => {
    expect(valuesToTicket(form, TicketSchema)).toEqual({
      ok: true,
      ticket: { symbol: 'BTCUSDT', sizeMode: 'quantity', size: '0.01', leverage: 10, orderType: 'MARKET', postOnly: false, reduceOnly: false },
    });
  });

  it('keeps price, post-only and stop % for a LIMIT ticket and reads a decimal comma', () => {
    const r = valuesToTicket({ ...form, orderType: 'LIMIT', price: '50000,5', stopPercent: '1.50' }, TicketSchema);
    expect(r.ok && r.ticket).toMatchObject({ orderType: 'LIMIT', price: '50000.5', postOnly: true, stopPercent: '1.5' });
    if (r.ok) expect(TicketSchema.safeParse(r.ticket).success).toBe(true);
  });

  it.each<[string, Partial<TicketValues>, string]>([
    ['a bad symbol', { symbol: 'BTC-USDT' }, 'symbol'],
    ['an unknown size mode', { sizeMode: 'lots' }, 'sizeMode'],
    ['a zero size', { size: '0' }, 'size'],
    ['a negative size', { size: '-1' }, 'size'],
    ['an exponent', { size: '1e3' }, 'size'],
    ['more than 100 % of the balance', { sizeMode: 'balancePercent', size: '150' }, 'size'],
    ['a stop of 100 %', { stopPercent: '100' }, 'stopPercent'],
    ['risk sizing without a stop', { sizeMode: 'risk', size: '25' }, 'stopPercent'],
    ['leverage 0', { leverage: '0' }, 'leverage'],
    ['leverage 126', { leverage: '126' }, 'leverage'],
    ['fractional leverage', { leverage: '2.5' }, 'leverage'],
    ['an unknown order type', { orderType: 'STOP' }, 'orderType'],
    ['LIMIT without a price', { orderType: 'LIMIT', price: '' }, 'price'],
  ])('refuses %s on the right field', (_, patch, field) => {
    const r = valuesToTicket({ ...form, ...patch }, TicketSchema);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.message.length).toBeGreaterThan(10);
    }
  });

  it('accepts risk sizing with a stop %', () => {
    const r = valuesToTicket({ ...form, sizeMode: 'risk', size: '25', stopPercent: '2' }, TicketSchema);
    expect(r.ok && r.ticket).toMatchObject({ sizeMode: 'risk', size: '25', stopPercent: '2' });
  });

  it('round-trips a saved ticket through the form', () => {
    const r = valuesToTicket({ ...form, orderType: 'LIMIT', stopPercent: '3', reduceOnly: true }, TicketSchema);
    if (!r.ok) throw new Error(r.message);
    const again = valuesToTicket(ticketToValues(r.ticket), TicketSchema);
    expect(again.ok && sameTicket(again.ticket, r.ticket)).toBe(true);
    expect(sameTicket(r.ticket, { ...r.ticket, size: '1' })).toBe(false);
  });
});

describe('size labels and suggestions', () => {
  it.each([
    ['quantity', 'ETHUSDT', 'Size (ETH)'],
    ['quantity', '', 'Size (base units)'],
    ['notional', 'BTCUSDT', 'Size (USDT notional)'],
    ['balancePercent', 'BTCUSDT', 'Size (% of available balance)'],
    ['risk', 'BTCUSDT', 'Risk (USDT at the stop)'],
  ])('%s on %s is labelled %s', (mode, symbol, label) => {
    expect(sizeUnit(mode, symbol)).toBe(label);
  });

  it('finds the base asset of quote-suffixed symbols only', () => {
    expect(baseAsset('1000PEPEUSDT')).toBe('1000PEPE');
    expect(baseAsset('USDT')).toBe('USDT');
    expect(baseAsset('BTCUSDC')).toBe('BTC');
  });

  it('applies only the text fields a suggestion names', () => {
    const next = applySuggestion(form, { size: '0.011', price: '50000.1', reduceOnly: 'true', orderType: 'LIMIT' });
    expect(next).toEqual({ ...form, size: '0.011', price: '50000.1' });
    expect(describeSuggestion({ size: '0.011', stopPercent: '1' })).toBe('size 0.011, stop % 1');
  });
});
