// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ackLatencies, bucketize, histogramBars, LATENCY_EDGES_MS, median } from '../../src/sidepanel/histogram.ts';
import type { JournalEntry } from '../../src/shared/messages.ts';

const entry = (seq: number, latency?: Record<string, number>): JournalEntry => ({
  seq,
  atMs: 1_700_000_000_000 + seq,
  kind: 'order',
  text: `order ${seq}`,
  ...(latency !== undefined ? { latency } : {}),
});

describe('latency histogram', () => {
  it('puts each value in the bucket whose upper edge is exclusive', () => {
    const buckets = bucketize([0, 0.99, 1, 1.5, 2, 999, 1000, 50_000, -1, Number.NaN]);
    const counts = Object.fromEntries(buckets.map((b) => [b.label, b.count]));
    expect(counts['<1']).toBe(2);
    expect(counts['1–2']).toBe(2);
    expect(counts['2–5']).toBe(1);
    expect(counts['500–1000']).toBe(1);
    expect(counts['≥1000']).toBe(2);
    expect(buckets).toHaveLength(LATENCY_EDGES_MS.length + 1);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(8);
  });

  it('reads the ack stage of the newest entries first, up to the limit', () => {
    const entries = [entry(1, { acknowledged: 5 }), entry(2), entry(3, { ack: 7, sent: 1 }), entry(4, { signed: 1 }), entry(5, { acknowledged: 9 })];
    expect(ackLatencies(entries, 10)).toEqual([9, 7, 5]);
    expect(ackLatencies(entries, 2)).toEqual([9, 7]);
  });

  it('scales bars to the tallest bucket and lays them side by side', () => {
    const bars = histogramBars(bucketize([0.5, 0.5, 3]), 110, 50, 2);
    expect(bars).toHaveLength(11);
    expect(bars[0]).toMatchObject({ x: 1, y: 0, width: 8, height: 50 });
    expect(bars[2]).toMatchObject({ x: 21, height: 25, y: 25 });
    expect(bars[1]?.height).toBe(0);
    expect(histogramBars(bucketize([]), 110, 50).every((b) => b.height === 0)).toBe(true);
  });

  it('takes the median of odd and even counts', () => {
    expect(median([])).toBe(0);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
