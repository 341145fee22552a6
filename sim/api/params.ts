/**
 * Readers for Binance request parameters (all strings on the wire). Missing or malformed mandatory values give
 * `-1102` with Binance's text (fact sheet §5); bad enum values give the enum's own code (-1116 type, -1117 side,
 * -1115 timeInForce) or `-1130` for other fields.
 */
import type { BinanceError } from '../contracts.ts';
import { isDecimal, normalize } from '../../src/shared/decimal.ts';
import { E, errRes, okRes, type Res } from '../engine/errors.ts';

export type Params = Readonly<Record<string, string>>;

/** Thrown inside a handler to abort with a Binance error; caught by the endpoint wrapper. */
export class ParamError extends Error {
  constructor(readonly error: BinanceError) {
    super(error.msg);
  }
}

export function fail(error: BinanceError): never {
  throw new ParamError(error);
}

/** Runs a handler body, turning `ParamError`s into error results. */
export function guard<T>(fn: () => T): Res<T> {
  try {
    return okRes(fn());
  } catch (e) {
    if (e instanceof ParamError) return errRes(e.error);
    throw e;
  }
}

/** An optional parameter: null when absent or empty. */
export function opt(p: Params, name: string): string | null {
  const v = p[name];
  return v === undefined || v === '' ? null : v;
}

export function req(p: Params, name: string): string {
  return opt(p, name) ?? fail(E.mandatory(name));
}

export function optDecimal(p: Params, name: string): string | null {
  const v = opt(p, name);
  if (v === null) return null;
  return isDecimal(v) ? normalize(v) : fail(E.mandatory(name));
}

export function reqDecimal(p: Params, name: string): string {
  return optDecimal(p, name) ?? fail(E.mandatory(name));
}

export function optInt(p: Params, name: string): number | null {
  const v = opt(p, name);
  if (v === null) return null;
  if (!/^-?\d{1,16}$/.test(v)) fail(E.mandatory(name));
  return Number(v);
}

export function optBool(p: Params, name: string): boolean | null {
  const v = opt(p, name);
  if (v === null) return null;
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  return fail(E.badValue(name));
}

export function optEnum<T extends string>(p: Params, name: string, values: readonly T[], bad: () => BinanceError = () => E.badValue(name)): T | null {
  const v = opt(p, name);
  if (v === null) return null;
  return (values as readonly string[]).includes(v) ? (v as T) : fail(bad());
}

export function reqEnum<T extends string>(p: Params, name: string, values: readonly T[], bad: () => BinanceError = () => E.badValue(name)): T {
  return optEnum(p, name, values, bad) ?? fail(E.mandatory(name));
}

/** A JSON array parameter (batchOrders, orderIdList); malformed JSON → `-1130`. */
export function jsonArray(p: Params, name: string): unknown[] {
  const raw = req(p, name);
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v : fail(E.badValue(name));
  } catch (e) {
    if (e instanceof ParamError) throw e;
    return fail(E.badValue(name));
  }
}

/** Converts one JSON batch item to wire-style string params (numbers and booleans as their text). */
export function itemParams(item: unknown, name: string): Record<string, string> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) fail(E.badValue(name));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(item)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (v !== null) fail(E.badValue(k));
  }
  return out;
}
