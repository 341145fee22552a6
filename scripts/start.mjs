// `npm start`: install what is missing, build, start the local exchange, and launch Chromium with the extension
// loaded and the side panel page open. Headed when a display exists; otherwise headless, with a screenshot written
// and its path printed. Runs until Ctrl+C (or until the browser window is closed); `--once` exits after the screenshot.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureAll } from './setup.mjs';

const root = resolve(import.meta.dirname, '..');
const once = process.argv.includes('--once');
const port = Number(process.env.STRIKE_EXCHANGE_PORT ?? 8765);

ensureAll();
console.log('$ vite build');
execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit', cwd: root });

/** Starts the local exchange and resolves with the URLs and demo credentials it prints as JSON. */
function startExchange() {
  // Its own process group, so stopping it also stops the node process tsx starts under it.
  const child = spawn('npx', ['tsx', 'sim/cli.ts', '--json', '--port', String(port)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      try {
        resolvePromise({ child, info: JSON.parse(line) });
      } catch {
        reject(new Error(`the local exchange printed ${line} instead of its JSON banner`));
      }
      lines.on('line', (l) => console.log(`[exchange] ${l}`));
    });
    child.once('exit', (code) => reject(new Error(`the local exchange exited with ${code}`)));
  });
}

const { chromium } = await import('playwright-core');
const { child: exchange, info } = await startExchange();
console.log(`Local exchange: REST ${info.restUrl}  WebSocket ${info.wsUrl}`);
console.log(`Demo account API key: ${info.apiKey}`);

const headless = !process.env.DISPLAY;
const dist = resolve(root, 'dist');
const profile = mkdtempSync(join(tmpdir(), 'strike-start-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.STRIKE_CHROMIUM ?? '/usr/bin/chromium',
  headless,
  viewport: { width: 420, height: 760 },
  args: [
    `--disable-extensions-except=${dist}`,
    `--load-extension=${dist}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
});
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
const extensionId = new URL(worker.url()).host;

// Hand the paper account to the set-up form so a new user only chooses a password; the secret is sealed into the
// vault by the background when the form is submitted, and this prefill is deleted then.
await worker.evaluate(
  (prefill) => chrome.storage.local.set({ 'setup.prefill.v1': prefill }),
  { environment: 'local', restUrl: info.restUrl, wsUrl: info.wsUrl, apiKey: info.apiKey, apiSecret: info.apiSecret },
);

const page = context.pages()[0] ?? (await context.newPage());
await page.goto(`chrome-extension://${extensionId}/src/sidepanel/index.html`);
await page.waitForSelector('main[aria-busy="false"]');
console.log(`Strike ${extensionId} loaded; side panel page open (${headless ? 'headless' : 'headed'}).`);

const shots = resolve(root, 'test-results');
mkdirSync(shots, { recursive: true });
const shot = join(shots, 'start-panel.png');
await page.screenshot({ path: shot });
console.log(`Screenshot: ${shot}`);

async function shutdown() {
  await context.close().catch(() => {});
  try {
    process.kill(-exchange.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
context.on('close', shutdown);
if (once) await shutdown();
else console.log('Running. Press Ctrl+C to stop the browser and the local exchange.');
