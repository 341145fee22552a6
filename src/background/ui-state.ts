/** The panel's own state (minimized or not), kept in `chrome.storage.local` so it survives a panel reopen. */
import { UiStateSchema, type UiState } from '../shared/messages.ts';

const KEY = 'ui.v1';
const DEFAULT: UiState = { minimized: false };

export async function readUiState(): Promise<UiState> {
  const stored = await chrome.storage.local.get(KEY);
  const parsed = UiStateSchema.safeParse(stored[KEY]);
  // Storage written by an older or broken build falls back to the default rather than breaking the panel.
  return parsed.success ? parsed.data : DEFAULT;
}

export async function writeUiState(state: UiState): Promise<UiState> {
  await chrome.storage.local.set({ [KEY]: UiStateSchema.parse(state) });
  return state;
}
