/**
 * Named ticket presets kept in the page's localStorage. What is read back is parsed with the contract's
 * TicketSchema because storage outlives builds and can hold anything. Loaded after the first paint (with the
 * contract, see contract.ts): a preset is never needed to act on the ticket that is already on screen.
 */
import { TicketSchema, type Ticket } from '../shared/messages.ts';
import { z } from '../shared/zod.ts';
import { parseJson } from '../shared/json.ts';
import type { KeyValueStore } from './preferences.ts';

export const PRESETS_KEY = 'strike.presets.v1';

export const PresetSchema = z.strictObject({ name: z.string().check(z.trim(), z.minLength(1), z.maxLength(40)), ticket: TicketSchema });
export type Preset = z.infer<typeof PresetSchema>;

/** At most this many presets are kept; the oldest-named beyond it are dropped on save. */
export const MAX_PRESETS = 50;

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
