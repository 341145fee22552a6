/**
 * The background's long-lived services, built once per worker life from chrome.* adapters. Kept apart from
 * index.ts so that file stays a list of listeners.
 */
import { SESSION_STORAGE_KEY, Vault, storageAreaStore } from './vault.ts';

const cryptoDeps = {
  subtle: crypto.subtle,
  randomBytes: (n: number) => crypto.getRandomValues(new Uint8Array(n)),
};

export const vault = new Vault({
  ...cryptoDeps,
  local: storageAreaStore(chrome.storage.local),
  session: storageAreaStore(chrome.storage.session),
  alarms: {
    create: (name, whenMs) => chrome.alarms.create(name, { when: whenMs }),
    clear: (name) => chrome.alarms.clear(name),
  },
  now: () => Date.now(),
});

// The vault's in-memory view of the session follows every write to it, whoever made it.
chrome.storage.session.onChanged.addListener((changes) => {
  const change = changes[SESSION_STORAGE_KEY];
  if (change !== undefined) vault.sessionChanged(change.newValue);
});
