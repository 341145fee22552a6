// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { MarkHistory, polylinePoints, positionLevels, priceRange, yOf } from '../../src/sidepanel/chart-model.ts';

describe('mark history', () => {
  it('keeps the last N marks per symbol in time order', () => {
    const h = new MarkHistory(3, 5);
    for (let i = 0; i < 5; i++) h.push('BTCUSDT', { atMs: i, price: String(100 + i) });
    h.push('BTCUSDT', { atMs: 2, price: '1' }); // out of order: dropped
    expect(h.points('BTCUSDT').map((p) => p.price)).toEqual(['102', '103', '104']);
    expect(h.points('ETHUSDT')).toEqual([]);
  });

  it('forgets the least recently updated symbol beyond the cap', () => {
    const h = new MarkHistory(10, 2);
    h.push('A', { atMs: 1, price: '1' });
    h.push('B', { atMs: 1, price: '1' });
    h.push('A', { atMs: 2, price: '2' });
    h.push('C', { atMs: 1, price: '1' });
    expect(h.points('B')).toEqual([]);
    expect(h.points('A')).toHaveLength(2);
    expect(h.points('C')).toHaveLength(1);
  });
});

describe('chart scaling', () => {
  const pts = [
    { atMs: 0, price: '100' },
    { atMs: 50, price: '110' },
    { atMs: 100, price: '105' },
  ];

  it('spans marks and levels with 5 % headroom', () => {
    expect(priceRange(pts, [{ kind: 'stop', price: '90', label: 'stop' }])).toEqual({ min: 89, max: 111 });
    expect(priceRange([], [])).toBeUndefined();
  });

  it('centres a flat series instead of dividing by zero', () => {
    const r = priceRange([{ atMs: 0, price: '2000' }], []);
    expect(r).toEqual({ min: 1999, max: 2001 });
    if (r !== undefined) expect(yOf(2000, r, 100)).toBe(50);
  });

  it('maps prices to rows top-down and time to columns', () => {
    const range = { min: 100, max: 110 };
    expect(yOf(110, range, 100)).toBe(0);
    expect(yOf(100, range, 100)).toBe(100);
    expect(polylinePoints(pts, range, 200, 100)).toBe('0,100 100,0 200,50');
    expect(polylinePoints([{ atMs: 5, price: '105' }], range, 200, 100)).toBe('0,50 200,50');
    expect(polylinePoints([], range, 200, 100)).toBe('');
  });

  it('draws entry, stop and the next ASL tier of a position', () => {
    expect(positionLevels({ entryPrice: '100', stopPrice: '95', nextTierPrice: '102', activeTier: 0 })).toEqual([
      { kind: 'entry', price: '100', label: 'entry 100' },
      { kind: 'stop', price: '95', label: 'stop 95' },
      { kind: 'tier', price: '102', label: 'tier 2 at 102' },
    ]);
    expect(positionLevels({ entryPrice: '100', nextTierPrice: '101' }).map((l) => l.label)).toEqual(['entry 100', 'tier 1 at 101']);
  });
});
