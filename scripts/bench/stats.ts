/** Summaries and the printed table of `npm run bench`. */

/** One line of bench-results.json. `floor` is the median of the metric this one is compared with, when one applies. */
export interface Metric {
  readonly name: string;
  readonly unit: 'ms' | 'us' | 'KiB';
  readonly samples: number;
  readonly median: number;
  readonly p99: number;
  /** The floor's median in the same unit (the raw round trip on the same path), or null. */
  readonly floor: number | null;
  /** Name of the floor metric, or null. */
  readonly floorName: string | null;
  /** median / floor, or null. */
  readonly ratio: number | null;
  /** What exactly was measured, in one line. */
  readonly what: string;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty sample. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

/** Median as the mean of the two middle values for an even count. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const hi = s[mid] ?? Number.NaN;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? hi) + hi) / 2;
}

const round = (x: number, places: number): number => (Number.isFinite(x) ? Number(x.toFixed(places)) : x);

/** A metric from raw samples, optionally compared with `floor` (another metric's median). */
export function summarize(
  name: string,
  unit: Metric['unit'],
  samples: readonly number[],
  what: string,
  floor: Metric | null = null,
): Metric {
  const places = unit === 'us' ? 1 : 3;
  const med = median(samples);
  return {
    name,
    unit,
    samples: samples.length,
    median: round(med, places),
    p99: round(percentile(samples, 99), places),
    floor: floor === null ? null : floor.median,
    floorName: floor === null ? null : floor.name,
    ratio: floor === null || floor.median <= 0 ? null : round(med / floor.median, 2),
    what,
  };
}

/** The table printed at the end of a run. */
export function formatTable(metrics: readonly Metric[]): string {
  const header = ['metric', 'unit', 'n', 'median', 'p99', 'floor', '×floor'];
  const rows = metrics.map((m) => [
    m.name,
    m.unit,
    String(m.samples),
    fmt(m.median),
    fmt(m.p99),
    m.floor === null ? '' : fmt(m.floor),
    m.ratio === null ? '' : `${m.ratio.toFixed(1)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i <= 1 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}
