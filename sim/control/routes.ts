/** JSON control API under `/control/...` (documented in sim/README.md); every body is parsed with zod. */
import { z } from 'zod';
import { FaultSpec } from '../http/faults.ts';
import { ControlError, type SimControl } from './control.ts';

const Dec = z.string().regex(/^\d+(\.\d+)?$/);

const schemas = {
  price: z.strictObject({ symbol: z.string(), price: Dec, markPrice: Dec.optional() }),
  path: z.strictObject({
    symbol: z.string(),
    steps: z.array(z.strictObject({ price: Dec, markPrice: Dec.optional(), afterMs: z.number().int().min(0).max(3_600_000) })).min(1).max(10_000),
    instant: z.boolean().default(false),
    wait: z.boolean().default(false),
  }),
  time: z.strictObject({ advanceMs: z.number().int().min(0).max(10 * 365 * 86_400_000).optional(), freeze: z.boolean().optional() }),
  market: z.strictObject({ action: z.enum(['pause', 'resume', 'tick']), ticks: z.number().int().min(1).max(100_000).optional() }),
  account: z.strictObject({ accountId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(), balance: Dec.optional(), apiKey: z.string().optional(), apiSecret: z.string().min(1).optional() }),
  key: z.strictObject({
    accountId: z.string(),
    type: z.enum(['HMAC', 'ED25519']),
    apiKey: z.string().optional(),
    apiSecret: z.string().min(1).optional(),
    publicKey: z.string().optional(),
  }),
  balance: z.strictObject({ accountId: z.string(), balance: Dec }),
  limits: z.strictObject({
    weight1m: z.number().int().positive().optional(),
    orders10s: z.number().int().positive().optional(),
    orders1m: z.number().int().positive().optional(),
    banAfter: z.number().int().min(0).optional(),
    banBaseMs: z.number().int().positive().optional(),
  }),
  expire: z.strictObject({ accountId: z.string().optional() }),
};

export interface ControlResponse {
  readonly status: number;
  readonly body: unknown;
}

const ok = (body: unknown): ControlResponse => ({ status: 200, body });

function parse<T extends z.ZodType>(schema: T, raw: string): z.infer<T> {
  let json: unknown;
  try {
    json = raw === '' ? {} : JSON.parse(raw);
  } catch {
    throw new ControlError('body is not valid JSON');
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new ControlError(z.prettifyError(r.error));
  return r.data;
}

/** Strips undefined-valued keys so optional fields stay absent rather than present-but-undefined. */
function defined<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Handles one control request; `path` excludes the query string. */
export async function handleControl(c: SimControl, method: string, path: string, query: URLSearchParams, raw: string): Promise<ControlResponse> {
  try {
    const route = `${method} ${path}`;
    switch (route) {
      case 'POST /control/price': {
        const b = parse(schemas.price, raw);
        return ok(c.setPrice(b.symbol, b.price, b.markPrice));
      }
      case 'POST /control/path': {
        const b = parse(schemas.path, raw);
        const done = c.playPath(b.symbol, b.steps.map((s) => defined(s)), b.instant);
        if (b.wait || b.instant) await done;
        return ok({ steps: b.steps.length, done: b.wait || b.instant });
      }
      case 'POST /control/time': {
        const b = parse(schemas.time, raw);
        if (b.freeze !== undefined) c.freezeTime(b.freeze);
        return ok({ serverTime: c.advanceTime(b.advanceMs ?? 0) });
      }
      case 'POST /control/market': {
        const b = parse(schemas.market, raw);
        if (b.action === 'pause') c.pause();
        else if (b.action === 'resume') c.resume();
        else c.tick(b.ticks ?? 1);
        return ok({ action: b.action });
      }
      case 'POST /control/accounts':
        return ok(c.createAccount(defined(parse(schemas.account, raw))));
      case 'POST /control/keys':
        return ok(c.addKey(defined(parse(schemas.key, raw))));
      case 'POST /control/balance': {
        const b = parse(schemas.balance, raw);
        c.setBalance(b.accountId, b.balance);
        return ok({ accountId: b.accountId, balance: b.balance });
      }
      case 'POST /control/faults':
        return ok(c.addFault(parse(FaultSpec, raw)));
      case 'DELETE /control/faults':
        c.clearFaults();
        return ok({});
      case 'GET /control/faults':
        return ok(c.faults());
      case 'POST /control/limits':
        return ok(c.setLimits(defined(parse(schemas.limits, raw))));
      case 'GET /control/ledger': {
        const since = Number(query.get('since') ?? '0');
        const limit = Number(query.get('limit') ?? '10000');
        if (!Number.isInteger(since) || since < 0 || !Number.isInteger(limit) || limit < 1) throw new ControlError('since and limit must be non-negative integers');
        return ok(c.ledger(since, limit));
      }
      case 'GET /control/state':
        return ok(c.state());
      case 'POST /control/reset':
        c.reset();
        return ok({});
      case 'POST /control/listenKeys/expire':
        return ok({ expired: c.expireListenKeys(parse(schemas.expire, raw).accountId ?? null) });
      default:
        return { status: 404, body: { error: `unknown control route ${route}` } };
    }
  } catch (e) {
    if (e instanceof ControlError) return { status: 400, body: { error: e.message } };
    throw e;
  }
}
