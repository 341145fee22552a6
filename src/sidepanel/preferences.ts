/**
 * Panel-only preferences kept in the page's localStorage: named ticket presets and the per-environment "confirm
 * before sending" choice. Nothing here reaches the exchange by itself; what is read back is parsed with zod
 * because storage outlives builds and can hold anything.
 */
import { z } from 'zod';
import { TicketSchema, type Environment, type Ticket } from '../shared/messages.ts';

/** The slice of `Storage` used here, so tests can pass a Map-backed fake. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const PRESETS_KEY = 'strike.presets.v1';
const confirmKey = (env: Environment): string => `strike.confirm.v1.${env}`;

export const PresetSchema = z.strictObject({ name: z.string().trim().min(1).max(40), ticket: TicketSchema });
export type Preset = z.infer<typeof PresetSchema>;

/** At most this many presets are kept; the oldest-named beyond it are dropped on save. */
export const MAX_PRESETS = 50;

function parseJson(raw: string | null): unknown {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * Presets as stored. Valid entries survive a bad neighbour (a preset saved by an older build with a field the
 * contract no longer has is dropped, not the whole list); anything that is not a list gives an empty list.
 */
export function parsePresets(raw: string | null): Preset[] {
  const list = z.array(z.unknown()).safeParse(parseJson(raw));
  if (!list.success) return [];
  const presets: Preset[] = [];
  for (const item of list.data) {
    const parsed = PresetSchema.safeParse(item);
    if (parsed.success && !presets.some((p) => p.name === parsed.data.name)) presets.push(parsed.data);
  }
  return presets.slice(0, MAX_PRESETS);
}

/** Adds or replaces the preset called `name`; the list stays sorted by name. */
export function upsertPreset(list: readonly Preset[], name: string, ticket: Ticket): Preset[] {
  const preset = PresetSchema.parse({ name, ticket });
  const rest = list.filter((p) => p.name !== preset.name);
  return [...rest, preset].sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_PRESETS);
}

export function removePreset(list: readonly Preset[], name: string): Preset[] {
  return list.filter((p) => p.name !== name);
}

export function loadPresets(store: KeyValueStore): Preset[] {
  return parsePresets(store.getItem(PRESETS_KEY));
}

export function savePresets(store: KeyValueStore, list: readonly Preset[]): void {
  store.setItem(PRESETS_KEY, JSON.stringify(list));
}

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
