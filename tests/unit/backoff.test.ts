import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from '../../src/background/exchange/backoff.ts';

const cfg = { baseMs: 100, maxMs: 1000, jitterRatio: 0.5 };

describe('backoffDelay', () => {
  it.each([
    [0, 0, 50],
    [0, 0.999, 100],
    [1, 0, 100],
    [2, 0.5, 300],
    [3, 0, 400],
    [4, 0, 500],
    [10, 0, 500],
    [10, 1, 1000],
    [1000, 1, 1000],
  ])('attempt %i jitter %f → %i ms', (attempt, jitter, expected) => {
    expect(backoffDelay(attempt, () => jitter, cfg)).toBe(expected);
  });

  it('clamps a jitter source outside [0, 1]', () => {
    expect(backoffDelay(0, () => -3, cfg)).toBe(50);
    expect(backoffDelay(0, () => 7, cfg)).toBe(100);
  });

  it('refuses a negative attempt', () => {
    expect(() => backoffDelay(-1, () => 0, cfg)).toThrow();
  });
});

describe('Backoff', () => {
  it('grows until reset', () => {
    const b = new Backoff(() => 1, cfg);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    expect(b.attempts).toBe(5);
    b.reset();
    expect(b.next()).toBe(100);
  });
});
