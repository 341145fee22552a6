/** Request handlers for the vault: set-up, unlock, lock, password, profiles, auto-lock. */
import type { HandlerMap } from '../router.ts';
import { vault } from '../services.ts';
import { clearPrefill, prefillInfo, readPrefill } from '../prefill.ts';
import { publish } from '../events.ts';
import type { SetupInput } from '../vault.ts';
import type { RequestOf, VaultStatus } from '../../shared/messages.ts';
import { err, ok, type Result } from '../../shared/result.ts';

/** Local exchange URLs when a profile names none: `npm run exchange`'s default port. */
export const LOCAL_DEFAULT = { rest: 'http://127.0.0.1:8765', streams: 'ws://127.0.0.1:8765', wsApi: 'ws://127.0.0.1:8765/ws-fapi/v1' };

async function withPrefill(r: Result<VaultStatus>): Promise<Result<VaultStatus>> {
  if (!r.ok) return r;
  const prefill = await prefillInfo();
  return ok(prefill === undefined ? r.value : { ...r.value, prefill });
}

async function setupInput(req: RequestOf<'vault.setup'>): Promise<Result<SetupInput>> {
  if (req.environment === 'mainnet' && !req.confirmMainnet) {
    return err('VALIDATION', 'Mainnet trades real money: tick “I understand this trades real money” to continue.');
  }
  const { credentials } = req;
  if (credentials.kind !== 'prefill') {
    return ok({
      name: req.name,
      environment: req.environment,
      ...(req.environment === 'local' ? { baseUrls: LOCAL_DEFAULT } : {}),
      credentials,
    });
  }
  const prefill = await readPrefill();
  if (prefill === null) return err('VALIDATION', 'No local paper account is waiting: start Strike with `npm start`, or paste a key.');
  return ok({
    name: req.name,
    environment: 'local',
    baseUrls: { rest: prefill.restUrl, streams: prefill.wsUrl, wsApi: `${prefill.wsUrl}/ws-fapi/v1` },
    credentials: { kind: 'hmac', apiKey: prefill.apiKey, secret: prefill.apiSecret },
  });
}

/** Called after every vault change so the trading session can start or stop with the unlock state. */
export type VaultChanged = (status: VaultStatus) => void;

export function vaultHandlers(onChange: VaultChanged) {
  const changed = async (r: Result<VaultStatus>): Promise<Result<VaultStatus>> => {
    const full = await withPrefill(r);
    if (full.ok) onChange(full.value);
    return full;
  };
  return {
    'vault.status': async () => withPrefill(await vault.status()),
    'vault.generateEd25519': () => vault.generateEd25519(),
    'vault.setup': async (req) => {
      const input = await setupInput(req);
      if (!input.ok) return input;
      const r = await vault.setup(input.value, req.password);
      if (r.ok && req.credentials.kind === 'prefill') await clearPrefill();
      return changed(r);
    },
    'vault.unlock': async (req) => {
      const r = await vault.unlock(req.profileId, req.password, (phase) =>
        publish({ type: 'vault.progress', phase: phase.endsWith('-start') ? 'deriving' : 'done' }),
      );
      return changed(r);
    },
    'vault.lock': async () => changed(await vault.lock()),
    'vault.changePassword': async (req) => changed(await vault.changePassword(req.oldPassword, req.newPassword)),
    'vault.deleteProfile': async (req) => changed(await vault.deleteProfile(req.profileId, req.password)),
    'vault.setAutoLock': async (req) => changed(await vault.setAutoLockMinutes(req.minutes)),
  } satisfies Pick<HandlerMap, `vault.${string}` & keyof HandlerMap>;
}
