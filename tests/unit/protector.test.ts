import { describe, expect, it } from 'vitest';
import { ID_BLOCK, Protector, type ProtectorPorts } from '../../src/background/trading/protector.ts';
import { DEFAULT_PROTECTION_CONFIG, type ProtectionEvent, type ProtectionState } from '../../src/core/asl.ts';

/**
 * The runner around the protection engine, with fake ports and a fake clock: cancels that fail for a passing reason
 * (the rate limiter holding them, §6) are re-sent after a growing pause until they go through, instead of three
 * times at once and then not until the next reconcile, which left a closed position's stops resting ~15 s.
 */
class FakeExchange {
  now = 0;
  timers: { at: number; fn: () => void }[] = [];
  cancelsAt: number[] = [];
  /** How many cancels are answered "held" (code 0) before one goes through. */
  heldCancels = 0;
  algoSeq = 0;
  saved: ProtectionState | null = null;
  idFloor: Record<string, number> | undefined = undefined;

  readonly ports: ProtectorPorts = {
    now: () => this.now,
    load: async () => undefined,
    save: (state) => {
      this.saved = state;
    },
    placeAlgo: async (params) => ({ type: 'algoAccepted', clientAlgoId: params.clientAlgoId, algoId: String(++this.algoSeq), symbol: params.symbol, atMs: this.now }),
    cancelAlgo: async (order): Promise<ProtectionEvent> => {
      this.cancelsAt.push(this.now);
      if (this.heldCancels > 0) {
        this.heldCancels -= 1;
        return { type: 'cancelFailed', clientAlgoId: order.clientAlgoId, code: 0, msg: 'request weight nearly used; waits for the next window', atMs: this.now };
      }
      return { type: 'algoCanceled', clientAlgoId: order.clientAlgoId, atMs: this.now };
    },
    closeMarket: async (params) => ({ type: 'closeResult', clientOrderId: params.newClientOrderId, ok: true, code: null, msg: '', atMs: this.now }),
    notify: () => undefined,
    changed: () => undefined,
    after: (ms, fn) => void this.timers.push({ at: this.now + ms, fn }),
    loadIdFloor: async () => this.idFloor,
    reserveIds: async (floor) => {
      this.idFloor = { ...floor };
    },
  };

  /** Lets promise chains settle. */
  async flush(): Promise<void> {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  }

  /** Advances the fake clock, firing due timers in order. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      await this.flush();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
    }
    this.now = end;
    await this.flush();
  }
}

async function protectedPosition(x: FakeExchange): Promise<Protector> {
  const p = new Protector(x.ports, { ...DEFAULT_PROTECTION_CONFIG, mode: 'worker' });
  await p.init();
  await p.feed({ type: 'symbolRules', rules: [{ symbol: 'TESTUSDT', tickSize: '0.01', minPrice: '0.01' }], atMs: 0 });
  await p.feed({ type: 'position', symbol: 'TESTUSDT', positionSide: 'BOTH', amount: '1', entryPrice: '100', atMs: 0 });
  await x.flush();
  return p;
}

describe('Protector: cancels of a closed position', () => {
  it.each([
    [0, [0]],
    [1, [0, 250]],
    [3, [0, 250, 750, 1750]],
    [6, [0, 250, 750, 1750, 3750, 5750, 7750]],
  ])('held %i times: sent again after 250, 500, 1000, then every 2000 ms until it goes through', async (held, expectedAt) => {
    const x = new FakeExchange();
    const p = await protectedPosition(x);
    expect(p.views()[0]?.restingStopPrice).toBe('90');
    x.heldCancels = held;
    await p.feed({ type: 'position', symbol: 'TESTUSDT', positionSide: 'BOTH', amount: '0', entryPrice: '0', atMs: 1 });
    await x.advance(20_000);
    expect(x.cancelsAt).toEqual(expectedAt);
    expect(p.guarding).toBe(false);
    expect(p.busy).toBe(false);
  });

  it('a reconcile that lists an order whose cancel is on the wire sends no second cancel', async () => {
    const x = new FakeExchange();
    const p = await protectedPosition(x);
    let answer: (event: ProtectionEvent) => void = () => undefined;
    x.ports.cancelAlgo = async (order) => {
      x.cancelsAt.push(x.now);
      return new Promise((resolve) => {
        answer = () => resolve({ type: 'algoCanceled', clientAlgoId: order.clientAlgoId, atMs: x.now });
      });
    };
    await p.feed({ type: 'position', symbol: 'TESTUSDT', positionSide: 'BOTH', amount: '0', entryPrice: '0', atMs: 1 });
    expect(x.cancelsAt).toEqual([0]);
    // A read sent after the cancel left, answered before it landed: the engine would cancel again.
    const listed = { algoId: '1', clientAlgoId: 'sl-TESTUSDT-B-1', symbol: 'TESTUSDT', side: 'SELL', positionSide: 'BOTH', orderType: 'STOP_MARKET', quantity: '1', triggerPrice: '90', closePosition: false, reduceOnly: true } as const;
    await p.feed({ type: 'openAlgoOrders', positions: [], orders: [listed], sinceSeq: p.seq, atMs: 2 });
    await x.flush();
    expect(x.cancelsAt).toEqual([0]);
    answer({ type: 'algoCanceled', clientAlgoId: 'sl-TESTUSDT-B-1', atMs: 3 });
    await x.advance(1);
    expect(p.guarding).toBe(false);
    expect(p.busy).toBe(false);
  });

  it("stores the rules only of the symbols it tracks (the session feeds them all again after a restart)", async () => {
    const x = new FakeExchange();
    const p = new Protector(x.ports, { ...DEFAULT_PROTECTION_CONFIG, mode: 'worker' });
    await p.init();
    const rules = Array.from({ length: 600 }, (_, i) => ({ symbol: `S${i}USDT`, tickSize: '0.01', minPrice: '0.01' }));
    await p.feed({ type: 'symbolRules', rules: [...rules, { symbol: 'TESTUSDT', tickSize: '0.01', minPrice: '0.01' }], atMs: 0 });
    expect(x.saved?.rules).toEqual({});
    await p.feed({ type: 'position', symbol: 'TESTUSDT', positionSide: 'BOTH', amount: '1', entryPrice: '100', atMs: 0 });
    await x.flush();
    expect(x.saved?.rules).toEqual({ TESTUSDT: { tickSize: '0.01', minPrice: '0.01' } });
    // A restarted worker from that state protects the position before and after the rules are fed again.
    const next = new FakeExchange();
    next.ports.load = async () => x.saved;
    const q = new Protector(next.ports, { ...DEFAULT_PROTECTION_CONFIG, mode: 'worker' });
    await q.init();
    expect(q.views()[0]?.restingStopPrice).toBe('90');
    await q.feed({ type: 'symbolRules', rules, atMs: 1 });
    expect(next.saved?.rules).toEqual({ TESTUSDT: { tickSize: '0.01', minPrice: '0.01' } });
  });

  it('counts its steps: seq, taken before a reconcile read, orders the read against the stream', async () => {
    const x = new FakeExchange();
    const p = await protectedPosition(x);
    const before = p.seq;
    await p.feed({ type: 'mark', symbol: 'TESTUSDT', price: '100.1', atMs: 2 });
    expect(p.seq).toBe(before + 1);
    expect(x.saved?.seq).toBe(p.seq);
  });
});

/**
 * Client ids are reserved in blocks with a confirmed write, so a worker whose last state saves Chrome dropped while
 * stopping it (its stops still went out) never has its ids reused by the next worker: the exchange would refuse a
 * reused id of a resting stop as a duplicate (-4116), and a lookup by a reused id is ambiguous.
 */
describe('Protector: client id reservation', () => {
  const KEY = 'TESTUSDT:BOTH';

  function placing(x: FakeExchange): string[] {
    const ids: string[] = [];
    x.ports.placeAlgo = async (params) => {
      ids.push(params.clientAlgoId);
      return { type: 'algoAccepted', clientAlgoId: params.clientAlgoId, algoId: String(++x.algoSeq), symbol: params.symbol, atMs: x.now };
    };
    return ids;
  }

  it('sends the first stop of a block only once its reservation is stored, and the next ones without waiting', async () => {
    const x = new FakeExchange();
    const ids = placing(x);
    const writes: Record<string, number>[] = [];
    let store: () => void = () => undefined;
    x.ports.reserveIds = (floor) => {
      writes.push({ ...floor });
      return new Promise((resolve) => (store = resolve));
    };
    const p = new Protector(x.ports, { ...DEFAULT_PROTECTION_CONFIG, mode: 'worker' });
    await p.init();
    await p.feed({ type: 'symbolRules', rules: [{ symbol: 'TESTUSDT', tickSize: '0.01', minPrice: '0.01' }], atMs: 0 });
    const fed = p.feed({ type: 'position', symbol: 'TESTUSDT', positionSide: 'BOTH', amount: '1', entryPrice: '100', atMs: 0 });
    await x.flush();
    expect(writes).toEqual([{ [KEY]: 1 + ID_BLOCK }]);
    expect(ids).toEqual([]);
    store();
    await fed;
    await x.flush();
    expect(ids).toEqual(['sl-TESTUSDT-B-1']);
    // The position grows: a new stop for the full size, inside the block, sent with no further write.
    await p.feed({ type: 'position', symbol: 'TESTUSDT', positionSide: 'BOTH', amount: '2', entryPrice: '100', atMs: 1 });
    await x.flush();
    expect(ids).toEqual(['sl-TESTUSDT-B-1', 'sl-TESTUSDT-B-2']);
    expect(writes).toHaveLength(1);
  });

  it('a restarted worker whose state lost the last ids starts past the reservation', async () => {
    const first = new FakeExchange();
    await protectedPosition(first);
    expect(first.idFloor).toEqual({ [KEY]: 1 + ID_BLOCK });
    // The next worker finds the reservation but a state saved before the stop was decided (here: none at all).
    const x = new FakeExchange();
    x.idFloor = first.idFloor;
    const ids = placing(x);
    await protectedPosition(x);
    expect(ids).toEqual([`sl-TESTUSDT-B-${ID_BLOCK + 2}`]);
    expect(x.idFloor).toEqual({ [KEY]: 2 * ID_BLOCK + 2 });
  });

  it('an unreadable reservation is no reservation; a failed one still lets the stop go, with a warning', async () => {
    const x = new FakeExchange();
    x.ports.loadIdFloor = async () => ({ [KEY]: -3 });
    const ids = placing(x);
    const warnings: string[] = [];
    x.ports.notify = (level, text) => void (level === 'warn' && warnings.push(text));
    x.ports.reserveIds = async () => {
      throw new Error('quota exceeded');
    };
    await protectedPosition(x);
    expect(ids).toEqual(['sl-TESTUSDT-B-1']);
    expect(warnings).toEqual(['Protection could not store its order-id reservation (quota exceeded); protective orders go on.']);
  });
});
