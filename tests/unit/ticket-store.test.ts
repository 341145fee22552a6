import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ticket } from '../../src/shared/messages.ts';

type TicketStore = typeof import('../../src/background/ticket-store.ts');

/** chrome.storage.local whose `get` answers when the test says, with what the area held when it was asked. */
class SlowLocalArea {
  readonly data = new Map<string, unknown>();
  readonly #answers: Array<() => void> = [];
  get(key: string): Promise<Record<string, unknown>> {
    const snapshot = this.data.has(key) ? { [key]: structuredClone(this.data.get(key)) } : {};
    return new Promise((resolve) => this.#answers.push(() => resolve(snapshot)));
  }
  set(items: Record<string, unknown>): Promise<void> {
    for (const [k, v] of Object.entries(items)) this.data.set(k, structuredClone(v));
    return Promise.resolve();
  }
  answerAll(): void {
    for (const answer of this.#answers.splice(0)) answer();
  }
}

const stored: Ticket = { symbol: 'ETHUSDT', sizeMode: 'notional', size: '100', leverage: 5, orderType: 'MARKET', postOnly: false, reduceOnly: false };
const edited: Ticket = { ...stored, size: '250' };

let area: SlowLocalArea;
let store: TicketStore;
beforeEach(async () => {
  area = new SlowLocalArea();
  vi.stubGlobal('chrome', { storage: { local: area } });
  // A fresh module per test: the store keeps the ticket in memory, as one worker's lifetime does.
  vi.resetModules();
  store = await import('../../src/background/ticket-store.ts');
});
afterEach(() => vi.unstubAllGlobals());

describe('the background ticket store', () => {
  it('reads the stored ticket once, then answers from memory', async () => {
    area.data.set('ticket.v1', stored);
    const first = store.readTicket();
    area.answerAll();
    await expect(first).resolves.toEqual(stored);
    area.data.set('ticket.v1', edited);
    await expect(store.readTicket()).resolves.toEqual(stored);
  });

  it('falls back to the default for a missing or malformed ticket', async () => {
    area.data.set('ticket.v1', { ...stored, leverage: 'ten' });
    const read = store.readTicket();
    area.answerAll();
    await expect(read).resolves.toEqual(store.DEFAULT_TICKET);
  });

  it('keeps a ticket written while the first read was on its way, instead of the older stored one', async () => {
    area.data.set('ticket.v1', stored);
    const inFlight = store.readTicket();
    await store.writeTicket(edited);
    area.answerAll();
    await expect(inFlight).resolves.toEqual(edited);
    await expect(store.readTicket()).resolves.toEqual(edited);
  });
});
