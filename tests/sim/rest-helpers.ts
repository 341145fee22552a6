/**
 * Test-side Binance REST client for the exchange conformance tests: real HTTP with fetch and node:crypto signing,
 * written here on purpose (not src/core) so the tests check the exchange against the fact sheet, not our client.
 */
import { createHmac } from 'node:crypto';
import { startExchange, type SimExchange, type StartOptions } from '../../sim/server.ts';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** A JSON object body (fails the test otherwise). */
export function obj(r: Reply): Record<string, unknown> {
  if (typeof r.body !== 'object' || r.body === null || Array.isArray(r.body)) throw new Error(`not an object: ${JSON.stringify(r.body)}`);
  return r.body as Record<string, unknown>;
}

export function arr(r: Reply): Record<string, unknown>[] {
  if (!Array.isArray(r.body)) throw new Error(`not an array: ${JSON.stringify(r.body)}`);
  return r.body as Record<string, unknown>[];
}

export const hmac = (secret: string, payload: string): string => createHmac('sha256', secret).update(payload).digest('hex');

export class Client {
  constructor(
    readonly ex: SimExchange,
    readonly apiKey: string,
    readonly secret: string,
  ) {}

  async raw(method: string, pathAndQuery: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
    const res = await fetch(this.ex.restUrl + pathAndQuery, {
      method,
      headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }), ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // non-JSON bodies stay text
    }
    return { status: res.status, headers: res.headers, body };
  }

  /** Public GET. */
  get(path: string, params: Record<string, string> = {}): Promise<Reply> {
    const q = new URLSearchParams(params).toString();
    return this.raw('GET', q ? `${path}?${q}` : path);
  }

  /** Signed request: GET/DELETE in the query string, POST/PUT in a form body (ccxt's layout, fact sheet §2). */
  signed(method: string, path: string, params: Record<string, string> = {}): Promise<Reply> {
    const q = new URLSearchParams({ ...params, timestamp: String(this.ex.control.serverTime()) }).toString();
    const signed = `${q}&signature=${hmac(this.secret, q)}`;
    const headers = { 'X-MBX-APIKEY': this.apiKey };
    if (method === 'GET' || method === 'DELETE') return this.raw(method, `${path}?${signed}`, { headers });
    return this.raw(method, path, { body: signed, headers });
  }

  /** Key-only request (USER_STREAM). */
  keyed(method: string, path: string): Promise<Reply> {
    return this.raw(method, path, { headers: { 'X-MBX-APIKEY': this.apiKey } });
  }

  order(params: Record<string, string>): Promise<Reply> {
    return this.signed('POST', '/fapi/v1/order', params);
  }

  algo(params: Record<string, string>): Promise<Reply> {
    return this.signed('POST', '/fapi/v1/algoOrder', { algoType: 'CONDITIONAL', ...params });
  }
}

/** Starts a paused exchange (prices move only when a test says so) with a demo client. */
export async function start(opts: StartOptions = {}): Promise<{ ex: SimExchange; c: Client }> {
  const ex = await startExchange({ port: 0, autoMarket: false, ...opts });
  return { ex, c: new Client(ex, ex.demo.apiKey, ex.demo.apiSecret) };
}

export const expectError = (r: Reply): { code: number; msg: string } => {
  const b = obj(r);
  if (typeof b['code'] !== 'number' || typeof b['msg'] !== 'string') throw new Error(`not an error body: ${JSON.stringify(b)}`);
  return { code: b['code'], msg: b['msg'] };
};
