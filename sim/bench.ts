/**
 * `npm run bench:sim` — loopback-only, about 10 s in total.
 * 1. Added latency per REST request: median/p99 of GET /fapi/v1/time and of a signed GET /fapi/v1/openOrders,
 *    minus the same client's latency against a raw node:http no-op server (the floor).
 * 2. Sustained orders/s over ~5 s at a 1,000 orders/s target (MARKET orders alternating BUY/SELL), counting errors.
 */
import { createHmac } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startExchange } from './server.ts';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function call(url: string, method = 'GET', headers: Record<string, string> = {}, body?: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

async function sample(n: number, make: () => Promise<{ status: number; ms: number }>): Promise<number[]> {
  for (let i = 0; i < 200; i++) await make(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await make();
    if (r.status !== 200) throw new Error(`unexpected status ${r.status}`);
    out.push(r.ms);
  }
  return out;
}

const floorServer = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{}');
});
await new Promise<void>((r) => floorServer.listen(0, '127.0.0.1', r));
const floorUrl = `http://127.0.0.1:${(floorServer.address() as AddressInfo).port}/`;

const ex = await startExchange({ port: 0, seed: 7 });
ex.control.setLimits({ weight1m: 10_000_000, orders10s: 10_000_000, orders1m: 10_000_000 });
const key = ex.demo.apiKey;
const sign = (q: string): string => `${q}&signature=${createHmac('sha256', ex.demo.apiSecret).update(q).digest('hex')}`;

const N = 3000;
const floor = await sample(N, () => call(floorUrl));
const time = await sample(N, () => call(`${ex.restUrl}/fapi/v1/time`));
const signed = await sample(N, () => call(`${ex.restUrl}/fapi/v1/openOrders?${sign(`symbol=BTCUSDT&timestamp=${ex.control.serverTime()}`)}`, 'GET', { 'X-MBX-APIKEY': key }));

const fmt = (x: number): string => `${x.toFixed(3)} ms`;
console.log(`REST latency on loopback (${N} sequential keep-alive requests each)`);
console.log(`  floor (raw node:http no-op)   median ${fmt(pct(floor, 50))}  p99 ${fmt(pct(floor, 99))}`);
for (const [name, xs] of [['GET /fapi/v1/time', time], ['signed GET /fapi/v1/openOrders', signed]] as const) {
  console.log(`  ${name.padEnd(30)} median ${fmt(pct(xs, 50))}  p99 ${fmt(pct(xs, 99))}  added: median ${fmt(pct(xs, 50) - pct(floor, 50))}  p99 ${fmt(pct(xs, 99) - pct(floor, 99))}`);
}

// Sustained orders: issue at a fixed 1,000/s pace for 5 s, up to 64 in flight.
const TARGET = 1000;
const DURATION_MS = 5000;
let sent = 0;
let okCount = 0;
let errors = 0;
const inflight = new Set<Promise<void>>();
const t0 = performance.now();
while (performance.now() - t0 < DURATION_MS) {
  const due = Math.floor(((performance.now() - t0) / 1000) * TARGET);
  while (sent < due && inflight.size < 64) {
    const side = sent % 2 === 0 ? 'BUY' : 'SELL';
    const body = sign(`symbol=BTCUSDT&side=${side}&type=MARKET&quantity=0.002&newOrderRespType=RESULT&timestamp=${ex.control.serverTime()}`);
    sent++;
    const p: Promise<void> = call(`${ex.restUrl}/fapi/v1/order`, 'POST', { 'X-MBX-APIKEY': key }, body).then(
      (r) => {
        if (r.status === 200) okCount++;
        else errors++;
      },
      () => {
        errors++;
      },
    );
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  await new Promise((r) => setImmediate(r));
}
await Promise.all(inflight);
const secs = (performance.now() - t0) / 1000;
console.log(`Orders: ${okCount} accepted, ${errors} errors in ${secs.toFixed(2)} s → ${(okCount / secs).toFixed(0)} orders/s (target ${TARGET}/s)`);

await ex.stop();
agent.destroy();
floorServer.close();
