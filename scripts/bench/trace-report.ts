/**
 * `npx tsx scripts/bench/trace-report.ts FILE`: reads a trace written by `npm run bench -- --trace=FILE` and splits
 * each entry's fill → stop into where the time went: until the service worker's first task after the fill (the
 * stream message's delivery, or the worker still busy), the worker's tasks until the stop reached the exchange (its
 * frame leaves inside them), and the time after the last of them. The marks the bench put on the exchange's track
 * (entry filled, stop received) are on the same clock as Chrome's events.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { median, percentile } from './stats.ts';
import { EXCHANGE_PID } from './trace.ts';

const EventSchema = z.object({
  name: z.string(),
  ph: z.string(),
  pid: z.number(),
  tid: z.number().optional(),
  ts: z.number().optional(),
  dur: z.number().optional(),
  args: z.record(z.string(), z.unknown()).optional(),
});
type TraceEvent = z.infer<typeof EventSchema>;

const TraceSchema = z.object({ traceEvents: z.array(z.unknown()) });

function load(file: string): TraceEvent[] {
  const trace = TraceSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const events: TraceEvent[] = [];
  for (const raw of trace.traceEvents) {
    const e = EventSchema.safeParse(raw);
    if (e.success) events.push(e.data);
  }
  return events;
}

/** The service worker's thread: its top-level tasks, in time order. */
function workerTasks(events: readonly TraceEvent[]): TraceEvent[] {
  const thread = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.['name'] === 'ServiceWorker thread');
  if (thread === undefined) throw new Error('no service worker thread in this trace');
  return events
    .filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.ts !== undefined)
    .sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
}

interface Split {
  readonly fillToStopMs: number;
  /** Fill → the first worker task after it: the stream message's delivery (or the worker being busy). */
  readonly toWorkerMs: number;
  /** The worker's busy time from that task's start to the stop's arrival (tasks cut at the arrival). */
  readonly workerBusyMs: number;
  /** End of the last worker task that started before the stop arrived → the stop's arrival. */
  readonly lastTaskToStopMs: number;
}

function splits(events: readonly TraceEvent[]): Split[] {
  const marks = events.filter((e) => e.pid === EXCHANGE_PID && e.ph === 'i' && e.ts !== undefined).sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
  const tasks = workerTasks(events);
  const out: Split[] = [];
  for (const fill of marks.filter((m) => m.name === 'entry filled')) {
    const at = fill.ts ?? 0;
    const stop = marks.find((m) => m.name === 'stop received' && (m.ts ?? 0) > at);
    if (stop === undefined) continue;
    const end = stop.ts ?? 0;
    const inWindow = tasks.filter((t) => (t.ts ?? 0) >= at && (t.ts ?? 0) < end);
    const first = inWindow[0];
    const last = inWindow.at(-1);
    if (first === undefined || last === undefined) continue;
    out.push({
      fillToStopMs: (end - at) / 1000,
      toWorkerMs: ((first.ts ?? 0) - at) / 1000,
      workerBusyMs: inWindow.reduce((sum, t) => sum + Math.min(end, (t.ts ?? 0) + (t.dur ?? 0)) - (t.ts ?? 0), 0) / 1000,
      lastTaskToStopMs: Math.max(0, end - ((last.ts ?? 0) + (last.dur ?? 0))) / 1000,
    });
  }
  return out;
}

function main(): void {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: npx tsx scripts/bench/trace-report.ts TRACE.json');
  const rows = splits(load(file));
  if (rows.length === 0) throw new Error('no entry with its stop in this trace: record the hotkey or clicks phase');
  console.log('fill→stop  fill→worker  worker busy  last task→stop   (ms, one row per entry)');
  for (const r of rows) {
    console.log(`${r.fillToStopMs.toFixed(2).padStart(9)}  ${r.toWorkerMs.toFixed(2).padStart(11)}  ${r.workerBusyMs.toFixed(2).padStart(11)}  ${r.lastTaskToStopMs.toFixed(2).padStart(14)}`);
  }
  for (const key of ['fillToStopMs', 'toWorkerMs', 'workerBusyMs', 'lastTaskToStopMs'] as const) {
    const xs = rows.map((r) => r[key]);
    console.log(`${key}: median ${median(xs).toFixed(2)}, p90 ${percentile(xs, 90).toFixed(2)} (n=${xs.length})`);
  }
}

main();
