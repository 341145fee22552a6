// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import {
  connectionHealth,
  fixed,
  formatCountdown,
  formatLatency,
  formatMs,
  formatSpread,
  formatTime,
  plain,
  signed,
} from '../../src/sidepanel/format.ts';

const conn = {
  rest: 'ok',
  wsApi: 'up',
  market: 'up',
  user: 'up',
  clockOffsetMs: 3,
  rttMs: 2,
} as const;

describe('panel number formatting', () => {
  it.each([
    ['1.5', 2, '1.50'],
    ['1.005', 2, '1.01'],
    ['-1.005', 2, '-1.01'],
    ['100', 0, '100'],
    ['0.1234', 3, '0.123'],
    ['abc', 2, '—'],
  ])('fixed(%s, %d) = %s', (x, places, expected) => {
    expect(fixed(x, places)).toBe(expected);
  });

  it.each([
    ['12.3', '+12.30'],
    ['-0.5', '-0.50'],
    ['0', '0.00'],
    ['-0.001', '0.00'],
    ['0.004', '0.00'],
  ])('signed(%s) = %s', (x, expected) => {
    expect(signed(x, 2)).toBe(expected);
  });

  it('normalises exchange decimals and dashes what is missing', () => {
    expect(plain('0.0100')).toBe('0.01');
    expect(plain(undefined)).toBe('—');
  });

  it.each([
    [0.44, '0.4 ms'],
    [12.4, '12 ms'],
    [1234, '1.2 s'],
    [180_000, '3 min'],
    [-1, '—'],
  ])('formatMs(%d) = %s', (ms, expected) => {
    expect(formatMs(ms)).toBe(expected);
  });

  it.each([
    [0, '0 s'],
    [1, '1 s'],
    [12_000, '12 s'],
    [59_001, '1 min 00 s'],
    [125_000, '2 min 05 s'],
  ])('formatCountdown(%d) rounds up to %s', (ms, expected) => {
    expect(formatCountdown(ms)).toBe(expected);
  });

  it('writes UTC wall-clock time with milliseconds', () => {
    expect(formatTime(Date.UTC(2025, 0, 31, 9, 3, 7, 25), true)).toBe('09:03:07.025');
  });

  it('computes the spread in price and basis points of the mid, with decimals', () => {
    expect(formatSpread('50000', '50000.1')).toBe('0.1 · 0.02 bps');
    expect(formatSpread('99', '101')).toBe('2 · 200.00 bps');
    expect(formatSpread('101', '99')).toBeUndefined();
    expect(formatSpread('0', '1')).toBeUndefined();
  });

  it('orders latency stages along the pipeline and drops the input stage', () => {
    expect(formatLatency({ filled: 20, sent: 1.2, input: 0, acknowledged: 6, signed: 0.4 })).toBe(
      'signed 0.4 ms · sent 1.2 ms · acknowledged 6 ms · filled 20 ms',
    );
    expect(formatLatency(undefined)).toBe('');
  });

  it.each([
    [{}, 'ok'],
    [{ wsApi: 'connecting' }, 'degraded'],
    [{ limiter: '429: held 20 s' }, 'degraded'],
    [{ clockOffsetMs: -1500 }, 'degraded'],
    [{ rest: 'degraded' }, 'degraded'],
    [{ rest: 'down' }, 'down'],
    [{ market: 'down', wsApi: 'connecting' }, 'down'],
  ] as const)('connection %o is %s', (patch, expected) => {
    expect(connectionHealth({ ...conn, ...patch })).toBe(expected);
  });
});
