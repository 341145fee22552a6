// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { debounce, throttle, type Timers } from '../../src/sidepanel/timing.ts';

/** A manual clock: timers fire only when `advance` passes their due time. */
function fakeTimers(): Timers & { advance(ms: number): void } {
  let now = 0;
  let seq = 0;
  const queue = new Map<number, { due: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      queue.set(++seq, { due: now + ms, fn });
      return seq;
    },
    clearTimeout: (handle) => void queue.delete(handle as number),
    advance(ms) {
      now += ms;
      for (const [id, t] of [...queue].sort((a, b) => a[1].due - b[1].due)) {
        if (t.due > now) continue;
        queue.delete(id);
        t.fn();
      }
    },
  };
}

describe('debounce', () => {
  it('runs once after the last schedule, and flush runs at once', async () => {
    const t = fakeTimers();
    let runs = 0;
    const d = debounce(() => void runs++, 150, t);
    d.schedule();
    t.advance(100);
    d.schedule();
    t.advance(149);
    expect(runs).toBe(0);
    t.advance(1);
    expect(runs).toBe(1);
    d.schedule();
    expect(d.pending).toBe(true);
    await d.flush();
    expect(runs).toBe(2);
    t.advance(1000);
    expect(runs).toBe(2);
    await d.flush();
    expect(runs).toBe(2);
  });

  it('cancel drops the pending run', () => {
    const t = fakeTimers();
    let runs = 0;
    const d = debounce(() => void runs++, 150, t);
    d.schedule();
    d.cancel();
    t.advance(500);
    expect(runs).toBe(0);
    expect(d.pending).toBe(false);
  });
});

describe('throttle', () => {
  it('runs the first call at once and folds a burst into one trailing call', () => {
    const t = fakeTimers();
    let runs = 0;
    const f = throttle(() => void runs++, 1000, t);
    f();
    expect(runs).toBe(1);
    t.advance(100);
    f();
    f();
    f();
    expect(runs).toBe(1);
    t.advance(900);
    expect(runs).toBe(2);
    t.advance(1000);
    f();
    expect(runs).toBe(3);
  });
});
