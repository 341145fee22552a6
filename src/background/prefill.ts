/**
 * The paper account `npm start` hands over: the local exchange's URLs and demo credentials, written to
 * chrome.storage.local by the start script before the panel opens. The panel sees only the environment and the
 * masked key; the set-up handler seals the credentials into the vault and deletes this record.
 */
import { maskKey } from '../core/keys.ts';
import { z } from '../shared/zod.ts';

const KEY = 'setup.prefill.v1';

const PrefillSchema = z.strictObject({
  environment: z.literal('local'),
  restUrl: z.url(),
  wsUrl: z.url(),
  apiKey: z.string(),
  apiSecret: z.string(),
});
export type Prefill = z.infer<typeof PrefillSchema>;

export async function readPrefill(): Promise<Prefill | null> {
  const parsed = PrefillSchema.safeParse((await chrome.storage.local.get(KEY))[KEY]);
  return parsed.success ? parsed.data : null;
}

export async function prefillInfo(): Promise<{ environment: 'local'; apiKeyMasked: string } | undefined> {
  const p = await readPrefill();
  return p === null ? undefined : { environment: p.environment, apiKeyMasked: maskKey(p.apiKey) };
}

export function clearPrefill(): Promise<void> {
  return chrome.storage.local.remove(KEY);
}
