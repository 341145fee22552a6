import { describe, expect, it } from 'vitest';
import { ID_BLOCK, Protector, type ProtectorPorts } from '../../src/background/trading/protector.ts';
import { DEFAULT_PROTECTION_CONFIG, type ProtectionEvent, type ProtectionState } from '../../src/core/asl.ts';

/**
 * The runner around the protection engine, with fake ports and a fake clock: placements, cancels and closes that
 * fail for a passing reason (the rate limiter holding them, a 418 ban, §6) are re-sent after a growing pause, or at
 * the hold's end, until they go through, instead of three times at once and then not until the next reconcile,
 * which left a closed position's stops resting ~15 s and a position opened during a ban without its stop.
 */
class FakeExchange {
  now = 0;
  timers: { at: number; fn: () => void }[] = [];
  cancelsAt: number[] = [];
  /** How many cancels are answered "held" (code 0) before one goes through. */
  heldCancels = 0;
  /** Until when placements and closes are refused locally, as during a 418 ban (code 0, not sent). */
  bannedUntil = 0;
  /** Placements are answered -2021 (would trigger immediately, §4.5). */
  wouldTrigger = false;
  /** Until when closes are refused locally, as during a 418 ban. */
  closesBannedUntil = 0;
  /** How many placements are answered -1001 (internal error, §5) before they go through. */
  failingPlacements = 0;
  placesAt: { at: number; id: string }[] = [];
  closesAt: number[] = [];
  notices: string[] = [];
  algoSeq = 0;
  saved: ProtectionState | null = null;
  idFloor: Record<string, number> | undefined = undefined;

  readonly ports: ProtectorPorts = {
    now: () => this.now,
    load: async () => undefined,
    save: (state) => {
      this.saved = state;
    },
    placeAlgo: async (params): Promise<ProtectionEvent> => {
      this.placesAt.push({ at: this.now, id: params.clientAlgoId });
      if (this.now < this.bannedUntil) return { type: 'algoRejected', clientAlgoId: params.clientAlgoId, code: 0, msg: 'banned (HTTP 418)', atMs: this.now };
      if (this.wouldTrigger) return { type: 'algoRejected', clientAlgoId: params.clientAlgoId, code: -2021, msg: 'Order would immediately trigger.', atMs: this.now };
      if (this.failingPlacements > 0) {
        this.failingPlacements -= 1;
        return { type: 'algoRejected', clientAlgoId: params.clientAlgoId, code: -1001, msg: 'Internal error; unable to process your request. Please try again.', atMs: this.now };
      }
      return { type: 'algoAccepted', clientAlgoId: params.clientAlgoId, algoId: String(++this.algoSeq), symbol: params.symbol, atMs: this.now };
    },
    cancelAlgo: async (order): Promise<ProtectionEvent> => {
      this.cancelsAt.push(this.now);
      if (this.heldCancels > 0) {
        this.heldCancels -= 1;
        return { type: 'cancelFailed', clientAlgoId: order.clientAlgoId, code: 0, msg: 'request weight nearly used; waits for the next window', atMs: this.now };
      }
      return { type: 'algoCanceled', clientAlgoId: order.clientAlgoId, atMs: this.now };
    },
    closeMarket: async (params) => {
      this.closesAt.push(this.now);
      const refused = this.now < Math.max(this.bannedUntil, this.closesBannedUntil);
      return { type: 'closeResult', clientOrderId: params.newClientOrderId, ok: !refused, code: refused ? 0 : null, msg: refused ? 'banned (HTTP 418)' : '', atMs: this.now };
    },
    notify: (_level, text) => void this.notices.push(text),
    holdMs: (effect) => {
      const until = effect === 'placeAlgo' ? this.bannedUntil : effect === 'closeMarket' ? Math.max(this.bannedUntil, this.closesBannedUntil) : 0;
      return Math.max(0, until - this.now);
    },
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

  /** Advances the fake clock, firing due timers in order, until nothing more is due by its end. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      await this.flush();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) {
        if (this.now === end) break;
        this.now = end;
        continue;
      }
      this.timers = this.timers.filter((t) => t !== due);
      this.now = due.at;
      due.fn();
    }
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

describe('Protector: the order its effects go in', () => {
  it("a fill's stop goes at once; its trailing tiers after the task, so their work does not delay it", async () => {
    const x = new FakeExchange();
    const p = new Protector(x.ports, DEFAULT_PROTECTION_CONFIG);
    await p.init();
    await p.feed({ type: 'symbolRules', rules: [{ symbol: 'TESTUSDT', tickSize: '0.01', minPrice: '0.01' }], atMs: 0 });
    await p.feed({ type: 'fill', symbol: 'TESTUSDT', positionSide: 'BOTH', side: 'BUY', qty: '1', price: '100', atMs: 0 });
    await x.flush();
    expect(x.placesAt.map((e) => e.id)).toEqual(['sl-TESTUSDT-B-1']);
    expect(p.busy).toBe(true);
    await x.advance(0);
    expect(x.placesAt).toHaveLength(4);
    expect(p.views()[0]).toMatchObject({ mode: 'native', restingStopPrice: '90', pending: false });
    expect(p.busy).toBe(false);
  });
});

describe('Protector: placements refused for a passing reason', () => {
  it('a position opened during a 1 s ban gets its stop and native trailing tiers as the ban ends, not never', async () => {
    const x = new FakeExchange();
    x.bannedUntil = 1_000;
    const p = new Protector(x.ports, DEFAULT_PROTECTION_CONFIG);
    await p.init();
    await p.feed({ type: 'symbolRules', rules: [{ symbol: 'TESTUSDT', tickSize: '0.01', minPrice: '0.01' }], atMs: 0 });
    await p.feed({ type: 'position', symbol: 'TESTUSDT', positionSide: 'BOTH', amount: '1', entryPrice: '100', atMs: 0 });
    await x.advance(5_000);
    // Each of the four (stop and three tiers) is sent once into the ban and once right after it, under the same id.
    const at = (id: string): number[] => x.placesAt.filter((e) => e.id === id).map((e) => e.at);
    expect(at('sl-TESTUSDT-B-1')).toEqual([0, 1_020]);
    expect(x.placesAt).toHaveLength(8);
    expect(p.views()[0]).toMatchObject({ mode: 'native', restingStopPrice: '90', unprotectedMs: 1_020, pending: false });
    expect(x.notices.join('\n')).not.toMatch(/UNPROTECTED|refused the native trailing stop/);
  });

  it('an internal error (-1001) is retried after 100, 200, 400 ms: more than the three quick tries of a refusal', async () => {
    const x = new FakeExchange();
    x.failingPlacements = 3;
    const p = await protectedPosition(x);
    await x.advance(2_000);
    expect(x.placesAt.map((e) => [e.at, e.id])).toEqual([
      [0, 'sl-TESTUSDT-B-1'],
      [100, 'sl-TESTUSDT-B-1'],
      [300, 'sl-TESTUSDT-B-1'],
      [700, 'sl-TESTUSDT-B-1'],
    ]);
    expect(p.views()[0]).toMatchObject({ restingStopPrice: '90', unprotectedMs: 700 });
  });

  it('a market close refused by a ban is sent again as the ban ends', async () => {
    const x = new FakeExchange();
    const p = await protectedPosition(x);
    // The price is already past the next stop: the exchange refuses it (-2021) and the position is closed at market,
    // while a ban refuses the close.
    x.wouldTrigger = true;
    x.closesBannedUntil = 600;
    await p.feed({ type: 'traderStop', symbol: 'TESTUSDT', positionSide: 'BOTH', side: 'BUY', stopPrice: '95', atMs: 0 });
    await x.advance(3_000);
    expect(x.closesAt).toEqual([0, 620]);
    expect(p.views()[0]?.closing).toBe(false);
  });
});

describe('Protector: a restarted worker', () => {
  it('sends again, under the same ids, the placements the previous worker decided on and may not have sent', async () => {
    const x = new FakeExchange();
    // The previous worker decided the stop (saved as placing) and was stopped before its answer.
    x.ports.placeAlgo = async (params) => {
      x.placesAt.push({ at: x.now, id: params.clientAlgoId });
      return new Promise<ProtectionEvent>(() => undefined);
    };
    await protectedPosition(x);
    const saved = x.saved;
    expect(saved?.positions['TESTUSDT:BOTH']?.orders.map((o) => [o.clientAlgoId, o.status])).toEqual([['sl-TESTUSDT-B-1', 'placing']]);
    const next = new FakeExchange();
    next.ports.load = async () => saved;
    // It had landed: the copy is refused as a duplicate, which counts as its accept.
    next.ports.placeAlgo = async (params) => {
      next.placesAt.push({ at: next.now, id: params.clientAlgoId });
      return { type: 'algoRejected', clientAlgoId: params.clientAlgoId, code: -4116, msg: 'ClientOrderId is duplicated.', atMs: next.now };
    };
    const q = new Protector(next.ports, { ...DEFAULT_PROTECTION_CONFIG, mode: 'worker' });
    await q.init();
    expect(next.placesAt).toEqual([]);
    q.resendPlacing(() => false);
    expect(next.placesAt).toEqual([]);
    q.resendPlacing((id) => id === 'sl-TESTUSDT-B-1');
    await next.flush();
    expect(next.placesAt.map((e) => e.id)).toEqual(['sl-TESTUSDT-B-1']);
    expect(q.views()[0]).toMatchObject({ restingStopPrice: '90', pending: false });
  });
});

describe('Protector: cancels of a closed position', () => {
  it.each([
    [0, [0]],
    [1, [0, 100]],
    [3, [0, 100, 300, 700]],
    [7, [0, 100, 300, 700, 1500, 3100, 5100, 7100]],
  ])('held %i times: sent again after 100, 200, 400, 800, 1600, then every 2000 ms until it goes through', async (held, expectedAt) => {
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

  it('says for each protective cancel which event decided it, once per cancel', async () => {
    const x = new FakeExchange();
    const traced: string[] = [];
    x.ports.trace = (text) => void traced.push(text);
    const p = await protectedPosition(x);
    await p.feed({ type: 'position', symbol: 'TESTUSDT', positionSide: 'BOTH', amount: '0', entryPrice: '0', atMs: 1 });
    await x.advance(0);
    expect(traced).toEqual(['cancel sl-TESTUSDT-B-1 after position TESTUSDT 0']);
  });

  it('a reconcile whose read does not list a stop still on the wire places no second one, once its placement is done it may', async () => {
    const x = new FakeExchange();
    const p = new Protector(x.ports, { ...DEFAULT_PROTECTION_CONFIG, mode: 'worker' });
    await p.init();
    await p.feed({ type: 'symbolRules', rules: [{ symbol: 'TESTUSDT', tickSize: '0.01', minPrice: '0.01' }], atMs: 0 });
    const answers: Array<() => void> = [];
    x.ports.placeAlgo = async (params) => {
      x.placesAt.push({ at: x.now, id: params.clientAlgoId });
      return new Promise((resolve) => answers.push(() => resolve({ type: 'algoAccepted', clientAlgoId: params.clientAlgoId, algoId: String(++x.algoSeq), symbol: params.symbol, atMs: x.now })));
    };
    const sinceSeq = p.seq;
    await p.feed({ type: 'position', symbol: 'TESTUSDT', positionSide: 'BOTH', amount: '1', entryPrice: '100', atMs: 1 });
    expect(x.placesAt.map((e) => e.id)).toEqual(['sl-TESTUSDT-B-1']);
    // A positions re-read sent before the stop was decided: it lists no order.
    const read = { type: 'openAlgoOrders' as const, positions: [{ symbol: 'TESTUSDT', positionSide: 'BOTH' as const, amount: '1', entryPrice: '100' }], orders: [], sinceSeq, atMs: 2 };
    await p.feed(read);
    await x.flush();
    expect(x.placesAt.map((e) => e.id)).toEqual(['sl-TESTUSDT-B-1']);
    for (const a of answers.splice(0)) a();
    await x.flush();
    expect(p.views()[0]).toMatchObject({ restingStopPrice: '90' });
    // Settled: a read that still does not list it (the stop is gone) is believed again.
    await p.feed({ ...read, sinceSeq: p.seq, atMs: 3 });
    expect(x.placesAt.map((e) => e.id)).toEqual(['sl-TESTUSDT-B-1', 'sl-TESTUSDT-B-2']);
  });

  it.each([
    ['without an answer at 750 ms: a second stop goes beside it', 0, ['sl-TESTUSDT-B-1@0', 'sl-TESTUSDT-B-2@750']],
    ['held by the client (a ban): no second stop, it could not go either', 5_000, ['sl-TESTUSDT-B-1@0']],
  ])('a stop placement %s', async (_name, bannedUntil, placed) => {
    const x = new FakeExchange();
    const p = new Protector(x.ports, { ...DEFAULT_PROTECTION_CONFIG, mode: 'worker' });
    await p.init();
    await p.feed({ type: 'symbolRules', rules: [{ symbol: 'TESTUSDT', tickSize: '0.01', minPrice: '0.01' }], atMs: 0 });
    // The first stop's outcome never comes (an answer lost, its copy held); the ones after are answered.
    const placeAlgo = x.ports.placeAlgo;
    x.ports.placeAlgo = async (params) => {
      if (params.clientAlgoId !== 'sl-TESTUSDT-B-1') return placeAlgo(params);
      x.placesAt.push({ at: x.now, id: params.clientAlgoId });
      return new Promise<ProtectionEvent>(() => undefined);
    };
    x.bannedUntil = bannedUntil;
    const holdMs = x.ports.holdMs;
    x.ports.holdMs = (effect) => (bannedUntil > 0 ? Math.max(0, bannedUntil - x.now) : (holdMs?.(effect) ?? 0));
    await p.feed({ type: 'position', symbol: 'TESTUSDT', positionSide: 'BOTH', amount: '1', entryPrice: '100', atMs: 0 });
    await x.advance(749);
    expect(x.placesAt.map((e) => e.id)).toEqual(['sl-TESTUSDT-B-1']);
    await x.advance(1);
    expect(x.placesAt.map((e) => `${e.id}@${e.at}`)).toEqual(placed);
    if (bannedUntil === 0) expect(p.views()[0]).toMatchObject({ restingStopPrice: '90' });
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
    // Cancels go after the task that decided them (stops and closes go at once).
    expect(x.cancelsAt).toEqual([]);
    expect(p.busy).toBe(true);
    await x.advance(0);
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
