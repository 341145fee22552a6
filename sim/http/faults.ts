/**
 * Fault injection (`POST /control/faults`). Request faults apply to the next `count` requests matching
 * method + path prefix, or to all matching requests during `durationMs`; the others act at once (clock skew,
 * WebSocket drops and silences, listenKey expiry). The 503 texts and -1007 follow fact sheet §5.
 */
import { z } from 'zod';

const Match = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'DELETE']).optional(),
  pathPrefix: z.string().startsWith('/').optional(),
});

const Scope = {
  match: Match.optional(),
  /** Next N matching requests (default 1 when no duration is given). */
  count: z.number().int().positive().max(1_000_000).optional(),
  /** Or: every matching request for this long (wall-clock ms). */
  durationMs: z.number().int().positive().max(86_400_000).optional(),
};

/** The three documented 503 bodies (fact sheet §5): status unknown, certain failure, internal error. */
export const TEXT_503 = {
  unknown: { code: -1000, msg: 'Unknown error, please check your request or try again later.' },
  unavailable: { code: -1000, msg: 'Service Unavailable.' },
  internal: { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' },
} as const;

export const FaultSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('latency'), ms: z.number().int().min(0).max(120_000), ...Scope }),
  z.strictObject({ kind: z.literal('drop'), ...Scope }),
  z.strictObject({
    kind: z.literal('http5xx'),
    status: z.union([z.literal(500), z.literal(503)]).default(503),
    text: z.enum(['unknown', 'unavailable', 'internal']).default('unknown'),
    /** Whether the request is processed before the error is answered (the "may have executed" 503). */
    executed: z.boolean().default(false),
    ...Scope,
  }),
  z.strictObject({
    kind: z.literal('timeout'),
    status: z.union([z.literal(408), z.literal(503)]).default(408),
    executed: z.boolean(),
    ...Scope,
  }),
  z.strictObject({ kind: z.literal('rate429'), retryAfterSec: z.number().int().min(0).default(10), ...Scope }),
  z.strictObject({ kind: z.literal('ban418'), retryAfterSec: z.number().int().min(0).default(120), ...Scope }),
  z.strictObject({ kind: z.literal('clockSkew'), offsetMs: z.number().int().min(-9_000_000_000_000).max(9_000_000_000_000), durationMs: z.number().int().positive().max(86_400_000).default(60_000) }),
  z.strictObject({ kind: z.literal('wsDrop'), pathPrefix: z.string().default('/') }),
  // `lostRequests`: WebSocket API requests sent meanwhile are lost too, as on a half-open connection; by default
  // they are executed and only their answers are lost.
  z.strictObject({ kind: z.literal('wsSilence'), pathPrefix: z.string().default('/'), durationMs: z.number().int().positive().max(86_400_000), lostRequests: z.boolean().default(false) }),
  z.strictObject({ kind: z.literal('listenKeyExpire'), accountId: z.string().optional() }),
]);
/** A fault after parsing (defaults applied). */
export type FaultSpec = z.infer<typeof FaultSpec>;
/** A fault as written by callers (defaults may be omitted). */
export type FaultInput = z.input<typeof FaultSpec>;

/** Faults that act on matching HTTP requests. */
export type RequestFault = Extract<FaultSpec, { kind: 'latency' | 'drop' | 'http5xx' | 'timeout' | 'rate429' | 'ban418' }>;

/** A request fault as it was served: when, and to which request (the soak's audit reads the holds it imposed). */
export interface ServedFault {
  readonly kind: RequestFault['kind'];
  readonly wallMs: number;
  readonly method: string;
  readonly path: string;
  /** Retry-After of a 429 or 418. */
  readonly retryAfterSec: number | null;
}

/** Served faults kept, newest last. */
const SERVED_KEEP = 100_000;

interface Rule {
  readonly id: number;
  readonly fault: RequestFault;
  remaining: number | null;
  readonly untilWall: number | null;
}

export class FaultBook {
  private rules: Rule[] = [];
  private nextId = 1;
  private readonly injected = new Map<string, number>();
  private served: ServedFault[] = [];

  /** Registers a request fault; returns its id. */
  add(fault: RequestFault, wallNow: number): number {
    const id = this.nextId++;
    const untilWall = fault.durationMs === undefined ? null : wallNow + fault.durationMs;
    this.rules.push({ id, fault, remaining: untilWall === null ? (fault.count ?? 1) : (fault.count ?? null), untilWall });
    return id;
  }

  /** Counts an immediately-applied fault. */
  count(kind: string): void {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
  }

  /** The first live rule matching this request, consumed by one. */
  take(method: string, path: string, wallNow: number): RequestFault | null {
    if (this.rules.length === 0) return null;
    this.rules = this.rules.filter((r) => (r.remaining === null || r.remaining > 0) && (r.untilWall === null || r.untilWall > wallNow));
    for (const r of this.rules) {
      const m = r.fault.match;
      if (m?.method !== undefined && m.method !== method) continue;
      if (m?.pathPrefix !== undefined && !path.startsWith(m.pathPrefix)) continue;
      if (r.remaining !== null) r.remaining--;
      this.count(r.fault.kind);
      const f = r.fault;
      this.served.push({ kind: f.kind, wallMs: wallNow, method, path, retryAfterSec: f.kind === 'rate429' || f.kind === 'ban418' ? f.retryAfterSec : null });
      if (this.served.length > SERVED_KEEP) this.served = this.served.slice(-SERVED_KEEP);
      return f;
    }
    return null;
  }

  clear(): void {
    this.rules = [];
  }

  resetCounts(): void {
    this.injected.clear();
    this.served = [];
  }

  list(wallNow: number): {
    active: { id: number; fault: RequestFault; remaining: number | null; untilWall: number | null }[];
    injected: Record<string, number>;
    served: ServedFault[];
  } {
    return {
      active: this.rules
        .filter((r) => (r.remaining === null || r.remaining > 0) && (r.untilWall === null || r.untilWall > wallNow))
        .map((r) => ({ id: r.id, fault: r.fault, remaining: r.remaining, untilWall: r.untilWall })),
      injected: Object.fromEntries(this.injected),
      served: [...this.served],
    };
  }
}
