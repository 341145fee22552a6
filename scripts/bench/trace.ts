/**
 * `npm run bench -- --trace=FILE`: Chrome's own trace over the bench's phases, for finding where a figure's time
 * goes (open FILE in Perfetto, or split its fills with `npx tsx scripts/bench/trace-report.ts FILE`). Tracing is
 * browser-wide, so a page's CDP session records every process and thread, the extension's service worker included.
 * It costs time itself (V8's sampling most): figures from a traced run are not comparable with untraced ones.
 */
import { writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** Tasks, V8 calls and the trace events Chrome names for messages, storage and sockets. */
const CATEGORIES = ['toplevel', 'v8.execute', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'ipc', 'mojom', 'ServiceWorker', 'net', 'netlog', 'disabled-by-default-v8.cpu_profiler'].join(',');

export interface Tracing {
  /**
   * Adds an instant event on the exchange's own track, at an epoch time taken in this process (the local exchange's
   * timing records): Chrome's trace clock is the system's monotonic clock, which this process reads too.
   */
  mark(name: string, epochMs: number, args?: Record<string, string | number>): void;
  /** Ends the trace, writes its JSON to `file` and resolves with that path. */
  stop(file: string): Promise<string>;
}

/** This process's epoch clock minus the monotonic clock Chrome's trace timestamps use, in ms. */
function epochMinusMonotonicMs(): number {
  return performance.timeOrigin + performance.now() - Number(process.hrtime.bigint()) / 1e6;
}

/** A pid no Chrome process has, for the exchange's track. */
export const EXCHANGE_PID = 1;

export async function startTrace(page: Page): Promise<Tracing> {
  const cdp = await page.context().newCDPSession(page);
  const events: unknown[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' });
  const offsetMs = epochMinusMonotonicMs();
  const marks: unknown[] = [{ ph: 'M', name: 'process_name', pid: EXCHANGE_PID, tid: EXCHANGE_PID, args: { name: 'local exchange (bench)' } }];
  return {
    mark(name, epochMs, args = {}) {
      marks.push({ ph: 'i', s: 'p', name, pid: EXCHANGE_PID, tid: EXCHANGE_PID, ts: Math.round((epochMs - offsetMs) * 1000), args });
    },
    async stop(file) {
      const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
      await cdp.send('Tracing.end');
      await complete;
      writeFileSync(file, JSON.stringify({ traceEvents: [...events, ...marks] }));
      await cdp.detach();
      return file;
    },
  };
}
