/**
 * The REST front door: body limit, control routes, fault injection, rate limits, authentication, dispatch through
 * the shared endpoint table, and Binance's response headers (`x-mbx-used-weight-1m` on every response,
 * `x-mbx-order-count-10s` / `-1m` on order responses, `Retry-After` on 429/418; fact sheet §6).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator, BinanceError, EndpointTable } from '../contracts.ts';
import type { ExchangeClock } from '../engine/clock.ts';
import { E } from '../engine/errors.ts';
import type { SimControl } from '../control/control.ts';
import { handleControl } from '../control/routes.ts';
import { authenticate } from './auth.ts';
import { TEXT_503, type FaultBook, type RequestFault } from './faults.ts';
import type { Charge, RateLimiter } from './ratelimit.ts';

/** Largest accepted request body; Binance bodies are short form strings (a 5-order batch is well under 8 KB). */
export const MAX_BODY_BYTES = 64 * 1024;

export interface RestDeps {
  readonly endpoints: EndpointTable;
  readonly auth: Authenticator;
  readonly clock: ExchangeClock;
  readonly limiter: RateLimiter;
  readonly faults: FaultBook;
  readonly control: SimControl;
}

/** Order-count cost per request: batch endpoints count 5 in the 10 s window and 1 in the minute (fact sheet §3). */
const ORDER_COUNTS: Readonly<Record<string, readonly [number, number]>> = {
  'POST /fapi/v1/batchOrders': [5, 1],
  'PUT /fapi/v1/batchOrders': [5, 1],
};

type Headers = Record<string, string>;

function send(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, error: BinanceError, headers: Headers = {}): void {
  send(res, error.httpStatus, { code: error.code, msg: error.msg }, headers);
}

/** Reads the body up to `limit` bytes; null when larger. */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Query and form-body params merged; the query value wins on a clash (fact sheet §2); the first duplicate wins within one source. */
function mergeParams(rawQuery: string, rawBody: string, form: boolean): Record<string, string> {
  const collect = (raw: string): Map<string, string> => {
    const m = new Map<string, string>();
    if (raw === '') return m;
    for (const [k, v] of new URLSearchParams(raw)) if (!m.has(k)) m.set(k, v);
    return m;
  };
  const merged = form ? collect(rawBody) : new Map<string, string>();
  for (const [k, v] of collect(rawQuery)) merged.set(k, v);
  return Object.fromEntries(merged);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createRestHandler(d: RestDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(d, req, res).catch((error: unknown) => {
      console.error('[sim] request failed', error);
      if (!res.headersSent) sendError(res, E.unknown());
      else res.destroy();
    });
  };
}

async function handle(d: RestDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const qi = url.indexOf('?');
  const path = qi < 0 ? url : url.slice(0, qi);
  const rawQuery = qi < 0 ? '' : url.slice(qi + 1);
  const rawBody = await readBody(req, MAX_BODY_BYTES);
  if (rawBody === null) {
    // Answer, then close: the rest of an oversized body is never read.
    res.on('finish', () => req.socket.destroy());
    sendError(res, E.bodyTooLarge(MAX_BODY_BYTES), { connection: 'close' });
    return;
  }
  if (path === '/control' || path.startsWith('/control/')) {
    const r = await handleControl(d.control, method, path, new URLSearchParams(rawQuery), rawBody);
    send(res, r.status, r.body);
    return;
  }
  const fault = d.faults.take(method, path, Date.now());
  if (fault) {
    const handled = await applyFault(d, fault, req, res, method, path, rawQuery, rawBody);
    if (handled) return;
  }
  await dispatch(d, req, res, method, path, rawQuery, rawBody);
}

/** Applies a request fault; returns true when the request is fully answered (or dropped). */
async function applyFault(
  d: RestDeps, f: RequestFault, req: IncomingMessage, res: ServerResponse, method: string, path: string, rawQuery: string, rawBody: string,
): Promise<boolean> {
  switch (f.kind) {
    case 'latency':
      await sleep(f.ms);
      return false;
    case 'drop':
      req.socket.destroy();
      return true;
    case 'http5xx': {
      if (f.executed) await dispatch(d, req, null, method, path, rawQuery, rawBody);
      const body = f.status === 500 ? { code: -1000, msg: 'An unknown error occured while processing the request.' } : TEXT_503[f.text];
      send(res, f.status, body);
      return true;
    }
    case 'timeout':
      // -1007: "execution status unknown"; with `executed` the request really ran before the timeout answer.
      if (f.executed) await dispatch(d, req, null, method, path, rawQuery, rawBody);
      sendError(res, E.timeoutUnknown(f.status));
      return true;
    case 'rate429':
      sendError(res, E.tooManyRequests(req.socket.remoteAddress ?? 'unknown', d.limiter.config.weight1m), { 'retry-after': String(f.retryAfterSec) });
      return true;
    case 'ban418':
      sendError(res, E.banned(req.socket.remoteAddress ?? 'unknown', d.clock.now() + f.retryAfterSec * 1000), { 'retry-after': String(f.retryAfterSec) });
      return true;
  }
}

/** Runs a Binance request; with `res` null the outcome is discarded (faults that answer differently). */
async function dispatch(
  d: RestDeps, req: IncomingMessage, res: ServerResponse | null, method: string, path: string, rawQuery: string, rawBody: string,
): Promise<void> {
  const now = d.clock.now();
  const ip = req.socket.remoteAddress ?? 'unknown';
  const key = `${method} ${path}`;
  const ep = d.endpoints[key];
  const contentType = req.headers['content-type'] ?? '';
  const params = mergeParams(rawQuery, rawBody, !contentType.includes('json'));
  const weight = ep ? ep.weight(params) : 1;
  const charge = d.limiter.weight(ip, weight, now);
  const headers: Headers = { 'x-mbx-used-weight-1m': String(charge.usedWeight) };
  const reply = (status: number, body: unknown, extra: Headers = {}): void => {
    if (res) send(res, status, body, { ...headers, ...extra });
  };
  const replyError = (error: BinanceError, extra: Headers = {}): void => reply(error.httpStatus, { code: error.code, msg: error.msg }, extra);
  if (charge.error) {
    replyError(charge.error, { 'retry-after': String(charge.retryAfterSec ?? 60) });
    return;
  }
  if (!ep) {
    replyError(E.notFound(method, path));
    return;
  }
  const apiKeyHeader = req.headers['x-mbx-apikey'];
  const authed = authenticate(d.auth, {
    security: ep.security,
    apiKey: Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader,
    rawQuery,
    rawBody: contentType.includes('json') ? '' : rawBody,
    params,
    now,
    ip,
  });
  if ('error' in authed) {
    replyError(authed.error);
    return;
  }
  if (ep.countsOrders && authed.accountId !== null) {
    const [n10, n1m] = ORDER_COUNTS[key] ?? [1, 1];
    const oc: Charge = d.limiter.orders(authed.accountId, n10, n1m, charge.usedWeight, now);
    if (oc.orders10s !== null) headers['x-mbx-order-count-10s'] = String(oc.orders10s);
    if (oc.orders1m !== null) headers['x-mbx-order-count-1m'] = String(oc.orders1m);
    if (oc.error) {
      replyError(oc.error, { 'retry-after': String(oc.retryAfterSec ?? 10) });
      return;
    }
  }
  const out = ep.handle({ accountId: authed.accountId, params, nowMs: now });
  if (out.ok) reply(200, out.body);
  else replyError(out.error);
}
