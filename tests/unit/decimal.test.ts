import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  ceilToStep,
  cmp,
  decimalPlaces,
  div,
  eq,
  floorToStep,
  fromNumber,
  gt,
  gte,
  isDecimal,
  isMultipleOf,
  isNegative,
  isZero,
  lt,
  lte,
  max,
  min,
  mul,
  neg,
  normalize,
  roundToStep,
  sub,
  type Rounding,
} from '../../src/shared/decimal.ts';

describe('isDecimal', () => {
  it.each([
    ['0', true],
    ['-0', true],
    ['1', true],
    ['-12.5', true],
    ['0.001', true],
    ['007.50', true],
    ['123456789012345678901234567890.123456789', true],
    ['', false],
    ['NaN', false],
    ['Infinity', false],
    ['1e3', false],
    ['1E-3', false],
    ['+1', false],
    ['.5', false],
    ['1.', false],
    ['-.5', false],
    [' 1', false],
    ['1 ', false],
    ['1,5', false],
    ['0x10', false],
    ['--1', false],
    ['١', false], // Arabic-Indic digit: \d in a non-unicode regex is ASCII only
  ])('%j → %s', (x, expected) => {
    expect(isDecimal(x)).toBe(expected);
  });
});

describe('normalize and decimalPlaces', () => {
  it.each([
    ['0', '0', 0],
    ['-0', '0', 0],
    ['-0.000', '0', 0],
    ['007.50', '7.5', 1],
    ['0.10', '0.1', 1],
    ['556.80', '556.8', 1],
    ['4529764', '4529764', 0],
    ['1.0500', '1.05', 2],
    ['-12.3400', '-12.34', 2],
    ['0.00000001', '0.00000001', 8],
    ['100', '100', 0],
  ])('%s → %s (%i places)', (x, n, places) => {
    expect(normalize(x)).toBe(n);
    expect(decimalPlaces(x)).toBe(places);
  });

  it('throws on a non-decimal string (a bug, not a user error)', () => {
    expect(() => normalize('1e3')).toThrow(/not a decimal string/);
  });
});

describe('add, sub, mul', () => {
  it.each([
    ['0.1', '0.2', '0.3', '-0.1', '0.02'],
    ['1', '1', '2', '0', '1'],
    ['-1.5', '0.5', '-1', '-2', '-0.75'],
    ['100', '0.001', '100.001', '99.999', '0.1'],
    ['43250.1', '0.05', '43250.15', '43250.05', '2162.505'],
    ['99999999999999999999', '1', '100000000000000000000', '99999999999999999998', '99999999999999999999'],
    ['0.000000001', '0.000000001', '0.000000002', '0', '0.000000000000000001'],
    ['-0', '0', '0', '0', '0'],
  ])('%s ⊕ %s: sum %s, difference %s, product %s', (a, b, s, d, p) => {
    expect(add(a, b)).toBe(s);
    expect(sub(a, b)).toBe(d);
    expect(mul(a, b)).toBe(p);
  });
});

describe('div(a, b, places, mode)', () => {
  it.each<[string, string, number, Rounding | undefined, string]>([
    ['1', '3', 4, undefined, '0.3333'],
    ['2', '3', 4, undefined, '0.6667'],
    ['2', '3', 4, 'floor', '0.6666'],
    ['2', '3', 4, 'trunc', '0.6666'],
    ['1', '3', 2, 'ceil', '0.34'],
    ['-1', '3', 2, 'floor', '-0.34'],
    ['-1', '3', 2, 'ceil', '-0.33'],
    ['-1', '3', 2, 'trunc', '-0.33'],
    ['1', '-3', 2, 'floor', '-0.34'],
    ['-1', '-3', 2, 'floor', '0.33'],
    ['5', '2', 0, 'half-up', '3'],
    ['-5', '2', 0, 'half-up', '-3'], // ties go away from zero
    ['7', '2', 0, 'half-up', '4'],
    ['100', '43250.1', 8, 'ceil', '0.00231214'],
    ['100', '43250.1', 8, 'floor', '0.00231213'],
    ['0.3', '0.1', 0, 'floor', '3'],
    ['10', '4', 1, 'floor', '2.5'],
    ['6', '3', 5, 'ceil', '2'],
  ])('%s / %s to %i places (%s) = %s', (a, b, places, mode, expected) => {
    expect(mode === undefined ? div(a, b, places) : div(a, b, places, mode)).toBe(expected);
  });

  it('division by zero throws', () => {
    expect(() => div('1', '0', 2)).toThrow(/division by zero/);
    expect(() => div('1', '0.000', 2)).toThrow(/division by zero/);
  });
});

describe('comparisons', () => {
  it.each([
    ['1', '2', -1],
    ['2', '1', 1],
    ['1.0', '1', 0],
    ['-0', '0', 0],
    ['-1', '0.5', -1],
    ['0.30000000000000004', '0.3', 1],
    ['100000000000000000001', '100000000000000000000', 1],
  ] as const)('cmp(%s, %s) = %i', (a, b, c) => {
    expect(cmp(a, b)).toBe(c);
    expect(eq(a, b)).toBe(c === 0);
    expect(lt(a, b)).toBe(c < 0);
    expect(lte(a, b)).toBe(c <= 0);
    expect(gt(a, b)).toBe(c > 0);
    expect(gte(a, b)).toBe(c >= 0);
  });

  it.each([
    ['0', true, false, '0', '0'],
    ['-0.000', true, false, '0', '0'],
    ['-1.50', false, true, '1.5', '1.5'],
    ['2.0', false, false, '-2', '2'],
  ])('%s: isZero %s, isNegative %s, neg %s, abs %s', (x, zero, negative, negated, absolute) => {
    expect(isZero(x)).toBe(zero);
    expect(isNegative(x)).toBe(negative);
    expect(neg(x)).toBe(negated);
    expect(abs(x)).toBe(absolute);
  });

  it.each([
    ['1', '2', '1', '2'],
    ['2.50', '2.5', '2.5', '2.5'],
    ['-3', '0.1', '-3', '0.1'],
  ])('min/max(%s, %s) = %s / %s (canonical)', (a, b, lo, hi) => {
    expect(min(a, b)).toBe(lo);
    expect(max(a, b)).toBe(hi);
  });
});

describe('roundToStep, floorToStep, ceilToStep, isMultipleOf', () => {
  it.each<[string, string, Rounding, string, string]>([
    ['43250.17', '0.1', 'floor', '0', '43250.1'],
    ['43250.17', '0.1', 'ceil', '0', '43250.2'],
    ['43250.15', '0.1', 'half-up', '0', '43250.2'],
    ['43250.19', '0.1', 'trunc', '0', '43250.1'],
    ['1.23', '0.05', 'floor', '0', '1.2'],
    ['1.23', '0.05', 'ceil', '0', '1.25'],
    ['0.3', '0.1', 'floor', '0', '0.3'],
    ['-0.15', '0.1', 'floor', '0', '-0.2'],
    ['-0.15', '0.1', 'ceil', '0', '-0.1'],
    ['-0.15', '0.1', 'trunc', '0', '-0.1'],
    ['10.2', '0.5', 'floor', '0.3', '9.8'],
    ['10.2', '0.5', 'ceil', '0.3', '10.3'],
    ['557.05', '0.1', 'floor', '556.8', '557'],
    ['250', '100', 'floor', '0', '200'],
    ['5.10', '0', 'floor', '0', '5.1'],
    ['5.10', '0.000', 'ceil', '0', '5.1'],
  ])('roundToStep(%s, %s, %s, origin %s) = %s', (v, step, mode, origin, expected) => {
    expect(roundToStep(v, step, mode, origin)).toBe(expected);
  });

  it('floorToStep / ceilToStep are the floor / ceil modes', () => {
    expect(floorToStep('0.0019', '0.001')).toBe('0.001');
    expect(ceilToStep('0.0011', '0.001')).toBe('0.002');
    expect(floorToStep('10.2', '0.5', '0.3')).toBe('9.8');
    expect(ceilToStep('10.2', '0.5', '0.3')).toBe('10.3');
  });

  it.each([
    ['0.3', '0.1', '0', true],
    ['-0.3', '0.1', '0', true],
    ['0.35', '0.1', '0', false],
    ['10.3', '0.5', '0.3', true],
    ['10.5', '0.5', '0.3', false],
    ['43250.10', '0.10', '556.80', true],
    ['1.23456', '0', '0', true],
  ])('isMultipleOf(%s, %s, %s) = %s', (v, step, origin, expected) => {
    expect(isMultipleOf(v, step, origin)).toBe(expected);
  });
});

describe('fromNumber', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [0.1, '0.1'],
    [0.1 + 0.2, '0.30000000000000004'],
    [4.35 * 100, '434.99999999999994'],
    [1.005, '1.005'],
    [-12.5, '-12.5'],
    [1e-7, '0.0000001'],
    [123456789.123, '123456789.123'],
    [2 ** 53, '9007199254740992'],
    [1e20, '100000000000000000000'],
  ])('%s → %s', (n, expected) => {
    expect(fromNumber(n)).toBe(expected);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('throws on %s', (n) => {
    expect(() => fromNumber(n)).toThrow(/not a finite number/);
  });

  // Exponent forms are expanded to the shortest digits that round-trip (what Number#toString prints).
  it.each([
    [1e21, '1000000000000000000000'],
    [1.5e-21, '0.0000000000000000000015'],
    [1.2345678901234567e-7, '0.00000012345678901234566'],
    [-2.5e-7, '-0.00000025'],
  ])('expands %s to %s', (n, expected) => {
    expect(fromNumber(n)).toBe(expected);
  });
});
