/**
 * `npm run exchange` — runs the local exchange until SIGINT/SIGTERM.
 * Flags: --port (8765), --seed, --symbols BTCUSDT,ETHUSDT, --api-key, --api-secret, --json (one JSON line for scripts).
 */
import { parseArgs } from 'node:util';
import { startExchange } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8765' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string' },
    symbols: { type: 'string' },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) {
    console.error(`--${name} must be a non-negative integer`);
    process.exit(2);
  }
  return Number(v);
}

const ex = await startExchange({
  port: int('port', values.port),
  host: values.host,
  seed: int('seed', values.seed),
  symbols: values.symbols?.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== ''),
  apiKey: values['api-key'],
  apiSecret: values['api-secret'],
});

if (values.json) {
  console.log(JSON.stringify({ restUrl: ex.restUrl, wsUrl: ex.wsUrl, apiKey: ex.demo.apiKey, apiSecret: ex.demo.apiSecret }));
} else {
  console.log(`Local Binance USD-M Futures exchange`);
  console.log(`  REST:       ${ex.restUrl}   (e.g. ${ex.restUrl}/fapi/v1/time)`);
  console.log(`  WebSocket:  ${ex.wsUrl}   (/public, /market, /private, /ws-fapi/v1)`);
  console.log(`  Control:    ${ex.restUrl}/control/state`);
  console.log(`  API key:    ${ex.demo.apiKey}`);
  console.log(`  API secret: ${ex.demo.apiSecret}`);
  console.log(`Ctrl+C to stop.`);
}

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  ex.stop().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
