/**
 * What the panel reads from a VaultStatus: its mode and its active profile. Type-only imports, so the boot path
 * (main.ts, the action bar) can use it without loading the contract's schemas.
 */
import type { ProfileInfoSchema, VaultStatus } from '../shared/messages.ts';
import type { z } from '../shared/zod.ts';

export type Profile = z.infer<typeof ProfileInfoSchema>;

/** The active profile, if the vault is unlocked. */
export function activeProfile(vault: VaultStatus): Profile | undefined {
  if (!vault.unlocked) return undefined;
  return vault.profiles.find((p) => p.id === vault.activeProfileId);
}

export type VaultMode = 'setup' | 'locked' | 'unlocked';

/** What the card shows: decides when the card must be rebuilt. */
export function vaultMode(vault: VaultStatus): VaultMode {
  if (vault.unlocked) return 'unlocked';
  return vault.profiles.length === 0 ? 'setup' : 'locked';
}
