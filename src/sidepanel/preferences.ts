/**
 * Panel-only preferences kept in the page's localStorage: the per-environment "confirm before sending" choice and
 * the store itself (presets are in presets.ts). What is read back is parsed with zod (the small zod/mini build: this
 * module is on the boot path, see contract.ts) because storage outlives builds and can hold anything.
 */
import * as z from 'zod/mini';
import { parseJson } from '../shared/json.ts';
import type { Environment } from '../shared/messages.ts';

/** The slice of `Storage` used here, so tests can pass a Map-backed fake. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const confirmKey = (env: Environment): string => `strike.confirm.v1.${env}`;

/** Mainnet asks for a confirmation before sending unless the trader turned it off; test environments do not. */
export const confirmDefault = (env: Environment): boolean => env === 'mainnet';

/** The trader's "confirm before sending" choice for `env`, or its default. */
export function loadConfirm(store: KeyValueStore, env: Environment): boolean {
  const parsed = z.boolean().safeParse(parseJson(store.getItem(confirmKey(env))));
  return parsed.success ? parsed.data : confirmDefault(env);
}

export function saveConfirm(store: KeyValueStore, env: Environment, value: boolean): void {
  store.setItem(confirmKey(env), JSON.stringify(value));
}

/** localStorage when the page has it; an in-memory store otherwise (storage disabled by policy). */
export function pageStore(): KeyValueStore {
  try {
    if (typeof localStorage !== 'undefined') return localStorage;
  } catch {
    // Accessing localStorage throws when the browser blocks site data; fall through to memory.
  }
  const memory = new Map<string, string>();
  return { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => void memory.set(k, v) };
}
