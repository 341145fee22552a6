/**
 * Fuzz of the message router (issue 8): 10,000 seeded random and mutated messages from own and foreign senders.
 * Every answer must be a well-formed Result, no handler may ever see an input the request schema rejects, foreign
 * senders never reach a handler, and nothing leaks into Object.prototype. Deterministic: one seeded PRNG drives it.
 */
import { mulberry32 } from '../../sim/engine/clock.ts';
import { describe, expect, it } from 'vitest';
import { createRouter, type HandlerMap, type SenderLike } from '../../src/background/router.ts';
import { RequestSchema, ResponseSchemas, responseSchemaFor, type RequestType } from '../../src/shared/messages.ts';
import { err, ok, resultSchema, type Result } from '../../src/shared/result.ts';
import { z } from 'zod';
import { VALID_REQUESTS, VALID_TICKET } from '../fixtures/requests.ts';

const EXT_ID = 'abcdefghijklmnopabcdefghijklmnop';
const opts = { extensionId: EXT_ID, extensionOrigin: `chrome-extension://${EXT_ID}` };
const ownSenders: SenderLike[] = [
  { id: EXT_ID, url: `${opts.extensionOrigin}/src/sidepanel/index.html`, origin: opts.extensionOrigin },
  { id: EXT_ID, url: `${opts.extensionOrigin}/src/sidepanel/index.html` },
];
const foreignSenders: SenderLike[] = [
  { id: 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', url: `chrome-extension://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/x.html` },
  { id: EXT_ID, url: 'https://evil.example/', origin: 'https://evil.example' },
  { id: EXT_ID },
  { url: `${opts.extensionOrigin}/src/sidepanel/index.html` },
  { id: EXT_ID, url: `${opts.extensionOrigin}/src/sidepanel/index.html`, origin: 'https://evil.example' },
  { id: EXT_ID, url: `${opts.extensionOrigin}.evil.example/` },
  { id: EXT_ID, url: opts.extensionOrigin },
  {},
];

/** Seeded, so every fuzz case is reproducible: the exchange's own generator. */
const prng = mulberry32;

const ticket = VALID_TICKET;

/** One valid request of every type (checked below to parse, so a schema change that breaks one shows up). */
const VALID: Record<RequestType, Record<string, unknown>> = VALID_REQUESTS;

const vaultStatus = { profiles: [], unlocked: false, autoLockMinutes: 30, retryAfterMs: 0 };
const connection = { rest: 'ok', wsApi: 'up', market: 'up', user: 'up', clockOffsetMs: 0, rttMs: 1 };
/** What each handler answers with when it succeeds: valid per `ResponseSchemas` (checked below). */
const ANSWERS: Record<RequestType, unknown> = {
  'app.status': { version: '1', ready: false, ui: { minimized: false }, hotkeys: { commands: [], unbound: [] }, vault: vaultStatus },
  'order.submit': { intentId: 'i', clientOrderId: 'stk-i', side: 'BUY', symbol: 'BTCUSDT', quantity: '1', status: 'NEW', via: 'ws', latency: { signedMs: 0, sentMs: 0, ackMs: 1 } },
  'hotkeys.check': { commands: [], unbound: [] },
  'hotkeys.openSettings': { opened: true },
  'ui.setMinimized': { minimized: true },
  'vault.status': vaultStatus,
  'vault.generateEd25519': { publicKeyPem: 'pem' },
  'vault.setup': vaultStatus,
  'vault.unlock': vaultStatus,
  'vault.lock': vaultStatus,
  'vault.changePassword': vaultStatus,
  'vault.deleteProfile': vaultStatus,
  'vault.setAutoLock': vaultStatus,
  'ticket.set': ticket,
  'ticket.preview': { symbol: 'BTCUSDT', side: 'BUY', quantity: '1', price: '1', notional: '1', margin: '1', liquidationEstimate: '1', stopPrice: '1' },
  'trading.snapshot': { ticket, symbols: [], marks: {}, book: {}, availableBalance: '0', positions: [], orders: [], connection },
  'position.close': { clientOrderId: 'stk-x' },
  'order.cancel': { canceled: true },
  'orders.cancelAll': { canceled: 0 },
  flatten: { canceledOrders: 0, closedPositions: 0 },
  'journal.query': [],
  'journal.export': { csv: '' },
};

const TYPES = RequestSchema.def.options.map((o) => o.shape.type.def.values[0] as RequestType);

interface Harness {
  readonly handlers: HandlerMap;
  /** Inputs a handler received that the schema refused, or that were not the type it handles. */
  readonly violations: string[];
  calls: number;
  lastCall: unknown;
}

/**
 * Spies for every request type. Each re-parses its input with RequestSchema (a handler must only ever see parsed,
 * schema-valid input) and answers with its valid value, or throws for a seeded share of calls (the INTERNAL path).
 */
function makeHarness(rand: () => number): Harness {
  const h: Harness = { handlers: {} as HandlerMap, violations: [], calls: 0, lastCall: undefined };
  const entries = TYPES.map((type) => {
    const spy = async (input: unknown): Promise<Result<unknown>> => {
      h.calls += 1;
      h.lastCall = input;
      const reparsed = RequestSchema.safeParse(input);
      if (!reparsed.success) h.violations.push(`${type} got unparseable ${JSON.stringify(input)?.slice(0, 200)}`);
      else if (reparsed.data.type !== type) h.violations.push(`${type} got a ${reparsed.data.type}`);
      const roll = rand();
      if (roll < 0.05) throw new Error('handler bug');
      if (roll < 0.15) return err('VALIDATION', 'refused by the handler');
      return ok(ANSWERS[type]);
    };
    return [type, spy] as const;
  });
  (h as { handlers: HandlerMap }).handlers = Object.fromEntries(entries) as unknown as HandlerMap;
  return h;
}

// ---------------------------------------------------------------------------------------------------- generators

const pick = <T>(rand: () => number, xs: readonly T[]): T => {
  const i = Math.floor(rand() * xs.length);
  if (i >= xs.length) throw new Error('empty choice');
  return xs[i] as T;
};

function deep(depth: number, leaf: unknown): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { a: v } : [v];
  return v;
}

/** A JSON-able value of a random kind: what chrome.runtime messaging can carry. */
function randomValue(rand: () => number): unknown {
  switch (Math.floor(rand() * 16)) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return Math.floor(rand() * 2 ** 53) * (rand() < 0.5 ? -1 : 1);
    case 3:
      return pick(rand, [0, -0, 1.5, -1, 8.64e15 + 1, Number.MAX_VALUE, 1e-300]);
    case 4:
      return 'x'.repeat(Math.floor(rand() * 5) === 0 ? 1_000_000 : Math.floor(rand() * 100));
    case 5:
      return pick(rand, ['', ' ', 'BUY', 'buy', 'BTCUSDT', 'btcusdt', '0.01', '-1', '1e3', 'NaN', '\u0000', '💥', '__proto__', 'constructor', '<script>']);
    case 6:
      return [];
    case 7:
      return {};
    case 8:
      return deep(1 + Math.floor(rand() * 2000), 'leaf');
    case 9:
      return JSON.parse('{"__proto__":{"polluted":true}}') as unknown;
    case 10:
      return { constructor: { prototype: { polluted: true } } };
    case 11:
      return pick(rand, TYPES);
    case 12:
      return Array.from({ length: Math.floor(rand() * 5) }, () => pick(rand, [1, 'a', null, {}]));
    case 13:
      return structuredClone(pick(rand, Object.values(VALID)));
    case 14:
      return { type: pick(rand, TYPES) };
    default:
      return `${pick(rand, TYPES)}${pick(rand, ['', ' ', 'x', '\n', '.'])}`;
  }
}

/** A valid request with one to three mutations: a field's value changed, removed or added, or the whole replaced. */
function mutated(rand: () => number): unknown {
  const base: Record<string, unknown> = structuredClone(pick(rand, Object.values(VALID)));
  const mutations = 1 + Math.floor(rand() * 3);
  let msg: unknown = base;
  for (let m = 0; m < mutations; m++) {
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) break;
    const obj = msg as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 0) {
      obj['type'] = randomValue(rand);
      continue;
    }
    switch (Math.floor(rand() * 9)) {
      case 0:
      case 1: {
        // A valid key with a wrong value (wrong type, out of range, huge, deep, hostile).
        const k = pick(rand, keys);
        obj[k] = randomValue(rand);
        break;
      }
      case 2:
        delete obj[pick(rand, keys)];
        break;
      case 3:
        obj[pick(rand, ['extra', 'qty', 'price', 'admin', 'constructor', 'toString', 'hasOwnProperty', 'then'])] = randomValue(rand);
        break;
      case 4:
        // An own `__proto__` key, as JSON.parse makes it (a plain assignment would set the prototype instead).
        msg = JSON.parse(`{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(obj[k]) ?? 'null'}`).concat('"__proto__":{"type":"app.status","polluted":1}').join(',')}}`) as unknown;
        break;
      case 5: {
        // Nested objects (ticket, credentials) get the same treatment one level down.
        const nestedKey = keys.find((k) => typeof obj[k] === 'object' && obj[k] !== null);
        if (nestedKey === undefined) {
          obj['type'] = randomValue(rand);
          break;
        }
        const nested = obj[nestedKey] as Record<string, unknown>;
        const nk = Object.keys(nested);
        if (rand() < 0.5 && nk.length > 0) nested[pick(rand, nk)] = randomValue(rand);
        else nested[pick(rand, ['extra', '__proto__', 'constructor'])] = randomValue(rand);
        break;
      }
      case 6:
        // A different type's tag on this body.
        obj['type'] = pick(rand, TYPES);
        break;
      case 7:
        msg = pick(rand, [null, undefined, 42, 'app.status', true, [obj], deep(500, obj)]);
        break;
      default:
        msg = Object.assign(Object.create(null) as Record<string, unknown>, obj);
    }
  }
  return msg;
}

function message(rand: () => number): unknown {
  const r = rand();
  if (r < 0.15) return structuredClone(pick(rand, Object.values(VALID)));
  if (r < 0.3) return randomValue(rand);
  return mutated(rand);
}

const AnyResult = resultSchema(z.unknown());

describe('router fuzz', () => {
  it('the valid samples parse and the canned answers match their response schemas', () => {
    expect(Object.keys(VALID).sort()).toEqual([...TYPES].sort());
    for (const type of TYPES) {
      expect(RequestSchema.safeParse(VALID[type]).success, type).toBe(true);
      expect(ResponseSchemas[type].safeParse(ANSWERS[type]).success, type).toBe(true);
    }
  });

  it('10,000 random and mutated messages: well-formed answers, no bad input reaches a handler, no foreign sender does', async () => {
    const rand = prng(0x5eed);
    const h = makeHarness(prng(0xbeef));
    const router = createRouter(h.handlers, opts);
    const codes = new Map<string, number>();
    let accepted = 0;
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) {
      const raw = message(rand);
      const foreign = rand() < 0.2;
      const sender = foreign ? pick(rand, foreignSenders) : pick(rand, ownSenders);
      const schemaAccepts = RequestSchema.safeParse(raw);
      const callsBefore = h.calls;
      const answer = await router.route(raw, sender);

      const parsed = AnyResult.safeParse(answer);
      expect(parsed.success, `case ${i}: ${JSON.stringify(answer)?.slice(0, 300)}`).toBe(true);
      const called = h.calls - callsBefore;
      if (foreign) {
        expect(called, `case ${i}: a foreign sender reached a handler`).toBe(0);
        expect(answer).toMatchObject({ ok: false, error: { code: 'FOREIGN_SENDER' } });
      } else if (schemaAccepts.success) {
        accepted += 1;
        expect(called, `case ${i}: a valid request must reach exactly one handler`).toBe(1);
        // The handler got the parsed value (no extra keys survive a strict parse), and the answer fits its type.
        expect(h.lastCall).toEqual(schemaAccepts.data);
        expect(responseSchemaFor(schemaAccepts.data.type).safeParse(answer).success, `case ${i}`).toBe(true);
      } else {
        expect(called, `case ${i}: a rejected message reached a handler`).toBe(0);
        expect(answer.ok).toBe(false);
        if (!answer.ok) expect(['UNKNOWN_TYPE', 'BAD_REQUEST']).toContain(answer.error.code);
      }
      if (!answer.ok) codes.set(answer.error.code, (codes.get(answer.error.code) ?? 0) + 1);
    }
    const elapsed = performance.now() - started;

    expect(h.violations).toEqual([]);
    // Every branch was exercised, so the run proves something about each.
    expect(accepted).toBeGreaterThan(1000);
    for (const code of ['FOREIGN_SENDER', 'UNKNOWN_TYPE', 'BAD_REQUEST', 'INTERNAL', 'VALIDATION']) expect(codes.get(code) ?? 0, code).toBeGreaterThan(50);
    // No prototype pollution from `__proto__` / `constructor` keys.
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('type');
    expect(elapsed).toBeLessThan(10_000);
  });

  // chrome.runtime messaging carries only JSON, which makes the first two unreachable from a page, but `dispatch` is
  // also the background's own entry: the router must describe any `type` without serialising it.
  it('answers a Result even when `type` cannot be stringified (cyclic, BigInt, very deep)', async () => {
    const router = createRouter(makeHarness(prng(1)).handlers, opts);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const type of [cyclic, 10n, deep(20_000, 'x')]) {
      const answer = await router.route({ type }, ownSenders[0] ?? {}).catch((e: unknown) => ({ threw: String(e) }));
      expect(AnyResult.safeParse(answer).success).toBe(true);
    }
  });

  it('is deterministic: the same seed gives the same sequence of answers', async () => {
    const run = async (): Promise<string[]> => {
      const rand = prng(7);
      const router = createRouter(makeHarness(prng(8)).handlers, opts);
      const out: string[] = [];
      for (let i = 0; i < 300; i++) {
        const raw = message(rand);
        const r = await router.route(raw, rand() < 0.2 ? pick(rand, foreignSenders) : pick(rand, ownSenders));
        out.push(r.ok ? 'ok' : r.error.code);
      }
      return out;
    };
    expect(await run()).toEqual(await run());
  });
});
