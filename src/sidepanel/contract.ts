/**
 * The message contract (the zod schemas of src/shared/messages.ts), loaded after the first paint. Evaluating zod
 * and the contract's schemas costs more than the rest of the panel together (measured: 50–130 ms per fresh load
 * in a new panel tab on this 2-core machine under load), so the boot path never imports it statically: it renders
 * the last known state first and validates with the contract as soon as it is here.
 */
import type * as Messages from '../shared/messages.ts';

export type Contract = typeof Messages;

let loaded: Contract | undefined;
let loading: Promise<Contract> | undefined;

/** The contract; the first call starts loading it, every call resolves with the same module. */
export function loadContract(): Promise<Contract> {
  loading ??= import('../shared/messages.ts').then((m) => (loaded = m));
  return loading;
}

/** The contract if it is already loaded (synchronous paths use it, and wait for `loadContract` otherwise). */
export const contractNow = (): Contract | undefined => loaded;
