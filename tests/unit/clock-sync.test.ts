import { describe, expect, it } from 'vitest';
import { ClockSync, type ClockSample } from '../../src/core/clock-sync.ts';
import { ClockKeeper } from '../../src/background/exchange/clock.ts';

const sample = (sentMs: number, receivedMs: number, serverTimeMs: number): ClockSample => ({ sentMs, receivedMs, serverTimeMs });

describe('ClockSync', () => {
  it('is unsynced with a zero offset before any sample (serverNow = local)', () => {
    const c = new ClockSync();
    expect(c.synced).toBe(false);
    expect(c.offsetMs).toBe(0);
    expect(c.rttMs).toBe(0);
    expect(c.serverNow(1_700_000_000_123)).toBe(1_700_000_000_123);
  });

  it.each([
    // [samples, expected offset, expected rtt]: offset = serverTime − (sent + received) / 2 of the lowest-RTT sample.
    { name: 'server ahead', samples: [sample(1000, 1100, 6050)], offset: 5000, rtt: 100 },
    { name: 'server behind', samples: [sample(1000, 1020, 510)], offset: -500, rtt: 20 },
    { name: 'zero RTT', samples: [sample(2000, 2000, 2000)], offset: 0, rtt: 0 },
    { name: 'fractional midpoint', samples: [sample(1000, 1001, 1000)], offset: -0.5, rtt: 1 },
    {
      name: 'lowest RTT wins, whatever its position',
      samples: [sample(0, 400, 400), sample(1000, 1010, 1205), sample(2000, 2300, 2350)],
      offset: 200,
      rtt: 10,
    },
    {
      name: 'a later sample with equal RTT does not displace the earlier best',
      samples: [sample(0, 10, 105), sample(100, 110, 203)],
      offset: 100,
      rtt: 10,
    },
  ])('$name', ({ samples, offset, rtt }) => {
    const c = new ClockSync();
    for (const s of samples) c.addSample(s);
    expect(c.synced).toBe(true);
    expect(c.offsetMs).toBe(offset);
    expect(c.rttMs).toBe(rtt);
  });

  it.each([
    ['negative RTT (local clock stepped back)', sample(1000, 900, 5000)],
    ['NaN server time', sample(1000, 1010, Number.NaN)],
    ['infinite receive time', sample(1000, Number.POSITIVE_INFINITY, 5000)],
  ])('ignores a sample with %s', (_name, bad) => {
    const c = new ClockSync();
    c.addSample(bad);
    expect(c.synced).toBe(false);
    c.addSample(sample(0, 10, 1005));
    c.addSample(bad);
    expect(c.offsetMs).toBe(1000);
  });

  it('only the newest maxSamples count: an old best sample ages out', () => {
    const c = new ClockSync({ maxSamples: 3 });
    c.addSample(sample(0, 2, 101)); // best: rtt 2, offset 100
    c.addSample(sample(10, 60, 140)); // rtt 50, offset 105
    c.addSample(sample(20, 70, 150));
    expect(c.offsetMs).toBe(100);
    c.addSample(sample(30, 80, 160)); // evicts the first sample
    expect(c.rttMs).toBe(50);
    expect(c.offsetMs).toBe(105);
  });

  it('samples older than maxAgeMs (from the newest receive time) are dropped', () => {
    const c = new ClockSync({ maxAgeMs: 60_000 });
    c.addSample(sample(0, 2, 101)); // rtt 2
    c.addSample(sample(30_000, 30_040, 30_125)); // rtt 40, offset 105
    expect(c.rttMs).toBe(2);
    c.addSample(sample(70_000, 70_080, 70_140)); // first sample now 70 s old
    expect(c.rttMs).toBe(40);
    expect(c.offsetMs).toBe(105);
  });

  it.each([
    // [what happened, the later sample, offset and RTT after it, samples kept]
    ['the exchange clock stepped 1.8 s ahead: the tight sample before it goes', sample(1000, 1050, 2925), 1900, 50, 1],
    ['the local clock stepped 1.8 s ahead: likewise', sample(1000, 1050, -775), -1800, 50, 1],
    ['the clocks ran on: the tighter, older sample stays best', sample(1000, 1050, 1126), 100, 2, 2],
    // Five minutes later, 20 ms apart: within 100 ppm of drift (30 ms), the same clocks.
    ['20 ms of drift in five minutes: the same clocks', sample(300_000, 300_010, 300_125), 100, 2, 2],
    ['40 ms in five minutes: more than a quartz drifts, a step', sample(300_000, 300_010, 300_145), 140, 10, 1],
  ])('%s', (_what, later, offset, rtt, kept) => {
    const c = new ClockSync();
    c.addSample(sample(0, 2, 101)); // rtt 2, offset 100: the server read its clock 99-102 ms ahead of the local one
    c.addSample(later);
    expect(c.offsetMs).toBe(offset);
    expect(c.rttMs).toBe(rtt);
    expect(c.recent).toHaveLength(kept);
  });

  it('serverNow floors so a timestamp is never ahead of the estimate', () => {
    const c = new ClockSync();
    c.addSample(sample(1000, 1001, 1000)); // offset −0.5
    expect(c.serverNow(2000)).toBe(1999);
    c.reset();
    c.addSample(sample(0, 10, 1255)); // offset 1250
    expect(c.serverNow(10_000)).toBe(11_250);
  });

  it('reset forgets everything', () => {
    const c = new ClockSync();
    c.addSample(sample(0, 10, 1005));
    c.reset();
    expect(c.synced).toBe(false);
    expect(c.offsetMs).toBe(0);
  });

  it('refuses a configuration that keeps no samples', () => {
    expect(() => new ClockSync({ maxSamples: 0 })).toThrow();
  });
});

describe('ClockKeeper: samples kept across a worker restart', () => {
  const keeper = (nowMs: number, sampled: ClockSample[][] = [], next: ClockSample[] = [], moved: number[] = []) =>
    new ClockKeeper(
      {
        now: () => nowMs,
        sample: () => Promise.resolve(next.shift() ?? null),
        scheduler: { after: () => () => undefined },
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined },
        sampled: (s) => sampled.push([...s]),
        offsetChanged: (d) => moved.push(d),
      },
      { samplesPerSync: 2, refreshMs: 60_000 },
    );

  it('says how far each restore or resync moved the offset (the limiter moves its holds with it)', async () => {
    const moved: number[] = [];
    const k = keeper(100_000, [], [sample(99_900, 99_910, 98_105), sample(99_950, 99_990, 98_170)], moved);
    k.restore([sample(99_000, 99_010, 100_805)], 60_000);
    expect(k.offsetMs).toBe(1800);
    expect(await k.resync()).toBe(true);
    expect(k.offsetMs).toBe(-1800);
    expect(moved).toEqual([1800, -3600]);
    await k.sync();
    expect(moved).toEqual([1800, -3600]);
  });

  it.each([
    { name: 'fresh samples restore the offset at once', samples: [sample(90_000, 90_010, 95_005)], synced: true, offset: 5000 },
    { name: 'samples older than the limit are dropped', samples: [sample(0, 10, 5005)], synced: false, offset: 0 },
    { name: 'a sample from the future (local clock stepped back) is dropped', samples: [sample(200_000, 200_010, 1)], synced: false, offset: 0 },
    {
      name: 'only the fresh ones of a mix count',
      samples: [sample(0, 2, 1), sample(99_000, 99_020, 99_110)],
      synced: true,
      offset: 100,
    },
  ])('$name', ({ samples, synced, offset }) => {
    const k = keeper(100_000);
    expect(k.restore(samples, 60_000)).toBe(synced);
    expect(k.offsetMs).toBe(offset);
  });

  it('reports the recent samples after every round, for the next worker to restore', async () => {
    const sampled: ClockSample[][] = [];
    const k = keeper(100_000, sampled, [sample(99_000, 99_010, 99_505), sample(99_100, 99_104, 99_602)]);
    expect(await k.sync()).toBe(true);
    expect(sampled).toEqual([[sample(99_000, 99_010, 99_505), sample(99_100, 99_104, 99_602)]]);
    const restarted = keeper(100_000);
    restarted.restore(sampled[0] ?? [], 60_000);
    expect(restarted.offsetMs).toBe(k.offsetMs);
  });
});
