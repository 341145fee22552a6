/**
 * The last known state of the panel, kept in the page's localStorage so a new panel opens on it at once instead of
 * waiting for the background's answers (a worker round trip or two, plus loading the contract: see contract.ts).
 * It holds no secret and nothing the background trusts: the panel shows it marked as refreshing, and an order is
 * sent only after the live state has replaced it (main.ts, the action bar's guard). Parsed with zod/mini, the small
 * zod build, because this runs before the contract is loaded and storage outlives builds.
 */
import * as z from 'zod/mini';
import type { Environment } from '../shared/messages.ts';
import type { TicketValues } from './ticket-form.ts';
import { parseJson } from '../shared/json.ts';
import type { KeyValueStore } from './preferences.ts';

export const BOOT_KEY = 'strike.boot.v1';

const ENVIRONMENTS = ['local', 'demo', 'mainnet'] as const satisfies readonly Environment[];

const TicketValuesSchema = z.strictObject({
  symbol: z.string(),
  sizeMode: z.string(),
  size: z.string(),
  stopPercent: z.string(),
  leverage: z.string(),
  orderType: z.string(),
  price: z.string(),
  postOnly: z.boolean(),
  reduceOnly: z.boolean(),
});

const BootStateSchema = z.strictObject({
  minimized: z.boolean(),
  mode: z.enum(['setup', 'locked', 'unlocked']),
  environment: z.nullable(z.enum(ENVIRONMENTS)),
  /** The background's saved ticket as form values (what the hotkeys would place), when one was loaded. */
  ticket: z.nullable(TicketValuesSchema),
});

export interface BootState {
  readonly minimized: boolean;
  readonly mode: 'setup' | 'locked' | 'unlocked';
  readonly environment: Environment | null;
  readonly ticket: TicketValues | null;
}

/** The stored state, or undefined when there is none or it does not parse (an older build's shape). */
export function readBootState(store: KeyValueStore): BootState | undefined {
  const parsed = BootStateSchema.safeParse(parseJson(store.getItem(BOOT_KEY)));
  return parsed.success ? parsed.data : undefined;
}

export function writeBootState(store: KeyValueStore, state: BootState): void {
  try {
    store.setItem(BOOT_KEY, JSON.stringify(state));
  } catch {
    // A full or blocked storage only costs the next panel its quick start; it opens on the live state instead.
  }
}
