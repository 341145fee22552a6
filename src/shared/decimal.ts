/**
 * Decimal-string arithmetic on scaled BigInts. Money and quantities never pass through floats: a float floor of
 * 0.3 / 0.1 gives 2, and ticks like 0.05 or 0.1 are not representable in binary (see ccxt's Precise for the same
 * approach). Every function takes and returns canonical decimal strings ("-12.5", "0.001", "100").
 */

const DECIMAL_RE = /^-?(?:\d+)(?:\.\d+)?$/;

interface Scaled {
  readonly v: bigint;
  readonly s: number;
}

/** True when `x` is a plain decimal string (no exponent, no sign other than a leading '-', no spaces). */
export function isDecimal(x: string): boolean {
  return DECIMAL_RE.test(x);
}

function parse(x: string): Scaled {
  if (!DECIMAL_RE.test(x)) throw new Error(`not a decimal string: ${JSON.stringify(x)}`);
  const neg = x.startsWith('-');
  const body = neg ? x.slice(1) : x;
  const dot = body.indexOf('.');
  const digits = dot < 0 ? body : body.slice(0, dot) + body.slice(dot + 1);
  const s = dot < 0 ? 0 : body.length - dot - 1;
  const v = BigInt(digits);
  return { v: neg ? -v : v, s };
}

/** Powers of ten up to 10^63, computed once: every aligned operation needs one, and BigInt exponentiation is not cheap. */
const POW10: readonly bigint[] = Array.from({ length: 64 }, (_, i) => 10n ** BigInt(i));
const pow10 = (n: number): bigint => POW10[n] ?? 10n ** BigInt(n);

function align(a: Scaled, b: Scaled): [bigint, bigint, number] {
  const s = Math.max(a.s, b.s);
  return [a.v * pow10(s - a.s), b.v * pow10(s - b.s), s];
}

function format({ v, s }: Scaled): string {
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString();
  if (s > 0) {
    digits = digits.padStart(s + 1, '0');
    const int = digits.slice(0, digits.length - s);
    const frac = digits.slice(digits.length - s).replace(/0+$/, '');
    digits = frac ? `${int}.${frac}` : int;
  }
  return neg && digits !== '0' ? `-${digits}` : digits;
}

/** Canonical form: no trailing fractional zeros, no "-0". */
export function normalize(x: string): string {
  return format(parse(x));
}

/** Number of digits after the point, after normalising ("0.010" has 2). */
export function decimalPlaces(x: string): number {
  const n = normalize(x);
  const dot = n.indexOf('.');
  return dot < 0 ? 0 : n.length - dot - 1;
}

export function add(a: string, b: string): string {
  const [x, y, s] = align(parse(a), parse(b));
  return format({ v: x + y, s });
}

export function sub(a: string, b: string): string {
  const [x, y, s] = align(parse(a), parse(b));
  return format({ v: x - y, s });
}

export function mul(a: string, b: string): string {
  const x = parse(a);
  const y = parse(b);
  return format({ v: x.v * y.v, s: x.s + y.s });
}

export type Rounding = 'floor' | 'ceil' | 'half-up' | 'trunc';

function divRound(n: bigint, d: bigint, mode: Rounding): bigint {
  if (d === 0n) throw new Error('division by zero');
  if (d < 0n) return divRound(-n, -d, mode);
  const q = n / d; // truncates toward zero
  const r = n % d;
  if (r === 0n) return q;
  switch (mode) {
    case 'trunc':
      return q;
    case 'floor':
      return n < 0n ? q - 1n : q;
    case 'ceil':
      return n > 0n ? q + 1n : q;
    case 'half-up': {
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice >= d) return n < 0n ? q - 1n : q + 1n;
      return q;
    }
  }
}

/** a / b with `places` digits after the point, rounded as asked (default half-up). */
export function div(a: string, b: string, places: number, mode: Rounding = 'half-up'): string {
  const x = parse(a);
  const y = parse(b);
  // a/b = (x.v / 10^x.s) / (y.v / 10^y.s); scale the numerator so the quotient has `places` digits.
  const num = x.v * pow10(places + y.s);
  const den = y.v * pow10(x.s);
  return format({ v: divRound(num, den, mode), s: places });
}

/** -1, 0 or 1. */
export function cmp(a: string, b: string): -1 | 0 | 1 {
  const [x, y] = align(parse(a), parse(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

export const eq = (a: string, b: string): boolean => cmp(a, b) === 0;
export const lt = (a: string, b: string): boolean => cmp(a, b) < 0;
export const lte = (a: string, b: string): boolean => cmp(a, b) <= 0;
export const gt = (a: string, b: string): boolean => cmp(a, b) > 0;
export const gte = (a: string, b: string): boolean => cmp(a, b) >= 0;
export const isZero = (a: string): boolean => parse(a).v === 0n;
export const isNegative = (a: string): boolean => parse(a).v < 0n;
export const neg = (a: string): string => {
  const x = parse(a);
  return format({ v: -x.v, s: x.s });
};
export const abs = (a: string): string => (isNegative(a) ? neg(a) : normalize(a));
export const min = (a: string, b: string): string => (lte(a, b) ? normalize(a) : normalize(b));
export const max = (a: string, b: string): string => (gte(a, b) ? normalize(a) : normalize(b));

/**
 * Rounds `value` to a multiple of `step` counted from `origin` (Binance's PRICE_FILTER counts ticks from minPrice:
 * (price - minPrice) % tickSize == 0). A step of 0 disables the rule and returns the value unchanged.
 */
export function roundToStep(value: string, step: string, mode: Rounding, origin = '0'): string {
  if (isZero(step)) return normalize(value);
  const off = parse(sub(value, origin));
  const st = parse(step);
  const [o, s, scale] = align(off, st);
  const k = divRound(o, s, mode);
  return add(origin, format({ v: k * s, s: scale }));
}

export const floorToStep = (value: string, step: string, origin = '0'): string => roundToStep(value, step, 'floor', origin);
export const ceilToStep = (value: string, step: string, origin = '0'): string => roundToStep(value, step, 'ceil', origin);

/** True when `value - origin` is an exact multiple of `step` (a zero step accepts everything). */
export function isMultipleOf(value: string, step: string, origin = '0'): boolean {
  return eq(roundToStep(value, step, 'trunc', origin), value);
}

/**
 * A finite JS number as a decimal string: the shortest digits that read back as the same number (what
 * `Number#toString` prints), with any exponent expanded, so 1e21 is "1000000000000000000000" and 1.5e-21 keeps its
 * digits. For values that arrive as numbers (UI inputs); anything computed stays a string.
 */
export function fromNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(n.toString());
  if (m === null) throw new Error(`unexpected number format: ${n}`);
  const [, sign = '', int = '', frac = '', exp = '0'] = m;
  const digits = int + frac;
  const point = int.length + Number(exp);
  const body =
    point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return normalize(sign + body);
}
