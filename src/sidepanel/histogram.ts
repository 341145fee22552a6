/**
 * Latency histogram of the last orders' input -> acknowledgement time, from the journal. Buckets are roughly
 * logarithmic because order latency spans sub-millisecond loopback acks to multi-second retries.
 */
import type { JournalEntry } from '../shared/messages.ts';

/** Upper edges (exclusive) of every bucket but the last, in ms. */
export const LATENCY_EDGES_MS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

export interface Bucket {
  /** "<1", "1–2", …, "≥1000" (ms). */
  readonly label: string;
  readonly from: number;
  /** Exclusive upper edge; null for the open last bucket. */
  readonly to: number | null;
  readonly count: number;
}

/** Counts `values` into buckets bounded by `edges` (ascending). Negative or non-finite values are skipped. */
export function bucketize(values: readonly number[], edges: readonly number[] = LATENCY_EDGES_MS): Bucket[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    if (!Number.isFinite(v) || v < 0) continue;
    let i = edges.findIndex((edge) => v < edge);
    if (i < 0) i = edges.length;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts.map((count, i) => {
    const from = i === 0 ? 0 : (edges[i - 1] ?? 0);
    const to = i < edges.length ? (edges[i] ?? null) : null;
    const label = i === 0 ? `<${to}` : to === null ? `≥${from}` : `${from}–${to}`;
    return { label, from, to, count };
  });
}

/** Stage names under which the background records the acknowledgement, in preference order. */
const ACK_KEYS = ['acknowledged', 'ack', 'ackMs'];

/** The input -> ack latency of the newest `limit` journal entries that carry one, newest first. */
export function ackLatencies(entries: readonly JournalEntry[], limit: number): number[] {
  const out: number[] = [];
  const newestFirst = [...entries].sort((a, b) => b.seq - a.seq);
  for (const e of newestFirst) {
    if (out.length >= limit) break;
    if (e.latency === undefined) continue;
    const key = ACK_KEYS.find((k) => e.latency?.[k] !== undefined);
    const value = key === undefined ? undefined : e.latency[key];
    if (value !== undefined) out.push(value);
  }
  return out;
}

export interface Bar {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly bucket: Bucket;
}

/** Bar geometry for an SVG of `width` x `height` (bars grow up from the bottom; the tallest fills the height). */
export function histogramBars(buckets: readonly Bucket[], width: number, height: number, gap = 2): Bar[] {
  const peak = Math.max(1, ...buckets.map((b) => b.count));
  const slot = buckets.length === 0 ? 0 : width / buckets.length;
  return buckets.map((bucket, i) => {
    const barHeight = (bucket.count / peak) * height;
    return { x: i * slot + gap / 2, y: height - barHeight, width: Math.max(0, slot - gap), height: barHeight, bucket };
  });
}

/** Median of the values (0 when empty), for the histogram's caption. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
