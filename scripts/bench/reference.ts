/**
 * `--compare`: a plain Node client beside the extension — `fetch` of the same signed MARKET order
 * (`POST /fapi/v1/order?…&signature=…`, HMAC-SHA256 with node:crypto over the same params), on its own exchange account so the
 * extension's protector never sees its fills. It runs in the exchange's own process, so its event loop is shared
 * with the exchange: that is part of what it measures.
 */
import { createHmac } from 'node:crypto';
import { epochNow } from '../../sim/http/timing.ts';

export interface ReferenceSample {
  /** Epoch ms before the params were built and signed. */
  readonly startMs: number;
  /** Epoch ms the response body was read. */
  readonly doneMs: number;
  readonly clientOrderId: string;
}

/** `n` sequential MARKET orders alternating BUY/SELL of `quantity`, each signed and sent like a trading client does. */
export async function referenceOrders(a: {
  restUrl: string;
  apiKey: string;
  apiSecret: string;
  symbol: string;
  quantity: string;
  n: number;
  serverNow(): number;
  paceMs: number;
}): Promise<ReferenceSample[]> {
  const out: ReferenceSample[] = [];
  for (let i = 0; i < a.n; i++) {
    const startMs = epochNow();
    const clientOrderId = `ref-${Date.now().toString(36)}-${i}`;
    const query = new URLSearchParams({
      symbol: a.symbol,
      side: i % 2 === 0 ? 'BUY' : 'SELL',
      type: 'MARKET',
      quantity: a.quantity,
      newClientOrderId: clientOrderId,
      newOrderRespType: 'RESULT',
      recvWindow: '5000',
      timestamp: String(a.serverNow()),
    }).toString();
    const signature = createHmac('sha256', a.apiSecret).update(query).digest('hex');
    // Params in the query string, signature last: what the extension's REST transport sends (exchange/http.ts).
    const r = await fetch(`${a.restUrl}/fapi/v1/order?${query}&signature=${signature}`, { method: 'POST', headers: { 'X-MBX-APIKEY': a.apiKey } });
    const body = await r.text();
    if (!r.ok) throw new Error(`reference order refused: ${r.status} ${body}`);
    out.push({ startMs, doneMs: epochNow(), clientOrderId });
    await new Promise((resolve) => setTimeout(resolve, a.paceMs));
  }
  return out;
}

/** `n` sequential `GET /fapi/v1/ping` from Node; ms each. */
export async function referencePings(restUrl: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n + 10; i++) {
    const t0 = performance.now();
    const r = await fetch(`${restUrl}/fapi/v1/ping`);
    await r.arrayBuffer();
    if (i >= 10) out.push(performance.now() - t0);
  }
  return out;
}
