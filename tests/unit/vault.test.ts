import { createPublicKey, generateKeyPairSync, randomBytes as nodeRandomBytes, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DerivePhase, Kdf } from '../../src/core/envelope.ts';
import {
  AUTO_LOCK_ALARM,
  CLEARED_ON_LOCK,
  SESSION_STORAGE_KEY,
  THROTTLE_STORAGE_KEY,
  VAULT_STORAGE_KEY,
  PENDING_KEYPAIR_KEY,
  Vault,
  storageAreaStore,
  throttleDelayMs,
  type KeyValueStore,
  type SetupInput,
  type VaultPorts,
} from '../../src/background/vault.ts';
import { VaultStatusSchema, type VaultStatus } from '../../src/shared/messages.ts';
import type { Result } from '../../src/shared/result.ts';

// Binance futures doc HMAC example (fact sheet §2 worked examples): this secret signs this payload to this hex.
const API_KEY = 'dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83';
const SECRET = '2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9';
const PAYLOAD = 'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943';
const SIGNATURE = '3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9';
const ED = generateKeyPairSync('ed25519');
const ED_PEM = ED.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ED_API_KEY = 'vE3BDAL1gP1UaexugRLtteaAHg3UO8Nza20uexEuW1Kh3tVwQfFHdAiyjjY428o2';

const PASSWORD = 'correct horse battery';
const FAST: Kdf = { name: 'PBKDF2', hash: 'SHA-256', iterations: 10 };
const MIN = 60_000;

const hmacProfile: SetupInput = { name: 'Main', environment: 'demo', credentials: { kind: 'hmac', apiKey: API_KEY, secret: SECRET } };
const edProfile: SetupInput = {
  name: 'Local',
  environment: 'local',
  baseUrls: { rest: 'http://127.0.0.1:9000' },
  credentials: { kind: 'ed25519', apiKey: ED_API_KEY, privateKeyPem: ED_PEM },
};
const withHmac = (c: Partial<{ apiKey: string; secret: string }>): SetupInput => ({
  ...hmacProfile,
  credentials: { kind: 'hmac', apiKey: API_KEY, secret: SECRET, ...c },
});

/** chrome.storage stand-in: JSON-only, like the real areas. */
class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, string>();
  async get(key: string): Promise<unknown> {
    const v = this.data.get(key);
    return v === undefined ? undefined : JSON.parse(v);
  }
  async set(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.stringify(value));
  }
  async remove(key: string): Promise<void> {
    this.data.delete(key);
  }
  dump(): string {
    return JSON.stringify([...this.data]);
  }
}

interface World {
  ports: VaultPorts;
  local: MemoryStore;
  session: MemoryStore;
  alarms: Map<string, number>;
  clock: { t: number };
  vault: (kdf?: Kdf) => Vault;
}

function world(): World {
  const local = new MemoryStore();
  const session = new MemoryStore();
  const alarms = new Map<string, number>();
  const clock = { t: 1_700_000_000_000 };
  const ports: VaultPorts = {
    local,
    session,
    alarms: { create: (name, when) => void alarms.set(name, when), clear: (name) => void alarms.delete(name) },
    now: () => clock.t,
    subtle: globalThis.crypto.subtle,
    randomBytes: (n) => new Uint8Array(nodeRandomBytes(n)),
  };
  return { ports, local, session, alarms, clock, vault: (kdf = FAST) => new Vault(ports, { kdf }) };
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function hmacHex(vault: Vault, payload: string): Promise<string> {
  return value(await vault.signingKey()).signer.sign(payload);
}

describe('setup → lock → unlock', () => {
  it('seals the profile, unlocks it, and the signing key reproduces the Binance doc signature', async () => {
    const w = world();
    const vault = w.vault();
    const status = value(await vault.setup(hmacProfile, PASSWORD));
    expect(VaultStatusSchema.parse(status)).toEqual(status);
    expect(status).toMatchObject({ unlocked: true, autoLockMinutes: 30, autoLockAtMs: w.clock.t + 30 * MIN, retryAfterMs: 0 });
    expect(status.profiles).toEqual([
      { id: status.activeProfileId, name: 'Main', environment: 'demo', keyType: 'hmac', apiKeyMasked: 'dbef…cc83' },
    ]);
    expect(await hmacHex(vault, PAYLOAD)).toBe(SIGNATURE);

    const locked = value(await vault.lock());
    expect(locked).toMatchObject({ unlocked: false, activeProfileId: status.activeProfileId });
    expect(locked.autoLockAtMs).toBeUndefined();
    expect(await vault.signingKey()).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(await vault.withSecret(() => 'ran')).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });

    const unlocked = value(await vault.unlock(status.activeProfileId ?? '', PASSWORD));
    expect(unlocked.unlocked).toBe(true);
    expect(await hmacHex(vault, PAYLOAD)).toBe(SIGNATURE);
    expect(value(await vault.withSecret((c) => c.secret === SECRET && c.apiKey === API_KEY))).toBe(true);
  });

  it('reports the derivation phases while unlocking', async () => {
    const w = world();
    const id = value(await w.vault().setup(hmacProfile, PASSWORD)).activeProfileId ?? '';
    const phases: DerivePhase[] = [];
    value(await w.vault().unlock(id, PASSWORD, (p) => phases.push(p)));
    expect(phases).toEqual(['derive-start', 'derive-end']);
  });

  it('stores an Ed25519 profile with its public key in clear and signs verifiably after a restart', async () => {
    const w = world();
    const status = value(await w.vault().setup(edProfile, PASSWORD));
    const info = status.profiles[0];
    expect(info?.publicKeyPem).toBe(ED.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const restarted = w.vault();
    const m = value(await restarted.signingKey());
    expect(m).toMatchObject({ keyType: 'ed25519', environment: 'local', apiKey: ED_API_KEY, baseUrls: { rest: 'http://127.0.0.1:9000' } });
    const sig = Buffer.from(await m.signer.sign(PAYLOAD), 'base64');
    expect(nodeVerify(null, Buffer.from(PAYLOAD), createPublicKey(info?.publicKeyPem ?? ''), sig)).toBe(true);
  });

  it('generates an Ed25519 key pair whose private half is sealed at set-up and never returned', async () => {
    const w = world();
    const vault = w.vault();
    expect(await vault.setup({ ...edProfile, credentials: { kind: 'ed25519-generated', apiKey: ED_API_KEY } }, PASSWORD)).toMatchObject({
      ok: false,
      error: { code: 'VAULT_BAD_KEY', message: expect.stringMatching(/Generate a new one/) },
    });
    const { publicKeyPem } = value(await vault.generateEd25519());
    const pending = JSON.parse(w.session.data.get(PENDING_KEYPAIR_KEY) ?? '{}') as { privateKeyPem: string };
    const status = value(await vault.setup({ ...edProfile, credentials: { kind: 'ed25519-generated', apiKey: ED_API_KEY } }, PASSWORD));
    expect(status.profiles[0]?.publicKeyPem).toBe(publicKeyPem);
    expect(w.session.data.has(PENDING_KEYPAIR_KEY)).toBe(false);
    const body = pending.privateKeyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '').slice(22);
    for (let i = 0; i + 8 <= body.length; i++) {
      const piece = body.slice(i, i + 8);
      expect(w.local.dump() + w.session.dump() + JSON.stringify(status)).not.toContain(piece);
    }
    const sig = Buffer.from(await value(await w.vault().signingKey()).signer.sign(PAYLOAD), 'base64');
    expect(nodeVerify(null, Buffer.from(PAYLOAD), createPublicKey(publicKeyPem), sig)).toBe(true);
  });

  it('rejects bad credentials and weak passwords before sealing anything', async () => {
    const w = world();
    const vault = w.vault();
    expect(await vault.setup(withHmac({ secret: SECRET.slice(1) }), PASSWORD)).toMatchObject({ ok: false, error: { code: 'VAULT_BAD_KEY' } });
    expect(await vault.setup(hmacProfile, 'short')).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(await vault.setup({ ...hmacProfile, name: '  ' }, PASSWORD)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(w.local.data.size).toBe(0);
    expect(w.session.data.size).toBe(0);
  });
});

describe('session across a service-worker restart', () => {
  it('a new Vault over the same stores is still unlocked and signs with no password', async () => {
    const w = world();
    value(await w.vault().setup(hmacProfile, PASSWORD));
    const restarted = w.vault();
    expect(value(await restarted.status()).unlocked).toBe(true);
    expect(await hmacHex(restarted, PAYLOAD)).toBe(SIGNATURE);
  });

  it('a lock by one instance is honoured by another that had the key cached', async () => {
    const w = world();
    const a = w.vault();
    value(await a.setup(hmacProfile, PASSWORD));
    const b = w.vault();
    value(await b.signingKey());
    value(await a.lock());
    expect(await b.signingKey()).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
  });

  it('fails closed when the session record is damaged or no longer opens the envelope', async () => {
    const w = world();
    value(await w.vault().setup(hmacProfile, PASSWORD));
    const good = w.session.data.get(SESSION_STORAGE_KEY) ?? '';
    await w.session.set(SESSION_STORAGE_KEY, { ...JSON.parse(good), key: Buffer.alloc(32).toString('base64') });
    expect(await w.vault().signingKey()).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(w.session.data.has(SESSION_STORAGE_KEY)).toBe(false);

    w.session.data.set(SESSION_STORAGE_KEY, '{"garbage":true}');
    expect(value(await w.vault().status()).unlocked).toBe(false);
  });
});

describe('lock', () => {
  it('clears exactly the declared list and tells the listeners', async () => {
    expect(CLEARED_ON_LOCK).toEqual({ session: [SESSION_STORAGE_KEY], alarms: [AUTO_LOCK_ALARM], memory: ['credentials', 'signingKey', 'live'] });
    const w = world();
    const vault = w.vault();
    let locks = 0;
    vault.onLock(() => locks++);
    value(await vault.setup(hmacProfile, PASSWORD));
    value(await vault.signingKey());
    expect(w.alarms.has(AUTO_LOCK_ALARM)).toBe(true);
    value(await vault.lock());
    expect(w.session.data.size).toBe(0);
    expect(w.alarms.size).toBe(0);
    expect(locks).toBe(1);
    expect(w.local.data.has(VAULT_STORAGE_KEY)).toBe(true);
  });
});

describe('liveProfileId: the order hot path\'s lock check from memory', () => {
  it('follows unlock, activity, the deadline, lock and writes made by others', async () => {
    const w = world();
    const vault = w.vault();
    const status = value(await vault.setup(hmacProfile, PASSWORD));
    const id = status.activeProfileId;
    expect(id).toBeDefined();
    expect(vault.liveProfileId()).toBe(id);

    // A restarted worker knows nothing until it has read the session once; then it answers from memory.
    const restarted = w.vault();
    expect(restarted.liveProfileId()).toBeNull();
    value(await restarted.status());
    expect(restarted.liveProfileId()).toBe(id);

    // The deadline passes with no alarm yet: memory answers null (fail closed), the slow path then locks.
    const start = w.clock.t;
    w.clock.t = start + 29 * MIN;
    await vault.touch();
    w.clock.t = start + 58 * MIN;
    expect(vault.liveProfileId()).toBe(id);
    w.clock.t = start + 59 * MIN;
    expect(vault.liveProfileId()).toBeNull();
    expect(value(await vault.status()).unlocked).toBe(false);
  });

  it('is cleared by a lock and by a session record removed or rewritten elsewhere', async () => {
    const w = world();
    const vault = w.vault();
    const id = value(await vault.setup(hmacProfile, PASSWORD)).activeProfileId;
    value(await vault.lock());
    expect(vault.liveProfileId()).toBeNull();

    value(await vault.unlock(id ?? '', PASSWORD));
    expect(vault.liveProfileId()).toBe(id);
    const record = w.session.data.get(SESSION_STORAGE_KEY);
    vault.sessionChanged({ ...(JSON.parse(String(record)) as object), deadline: w.clock.t - 1 });
    expect(vault.liveProfileId()).toBeNull();
    vault.sessionChanged(undefined);
    expect(vault.liveProfileId()).toBeNull();
    vault.sessionChanged(JSON.parse(String(record)));
    expect(vault.liveProfileId()).toBe(id);
  });
});

describe('touch: activity pushes the deadline at most every 30 s', () => {
  it('skips a push within 30 s of the last one, and pushes again after', async () => {
    const w = world();
    const vault = w.vault();
    value(await vault.setup(hmacProfile, PASSWORD));
    const start = w.clock.t;
    w.clock.t = start + 10 * MIN;
    await vault.touch();
    expect(w.alarms.get(AUTO_LOCK_ALARM)).toBe(start + 40 * MIN);
    w.clock.t += 20_000;
    await vault.touch();
    expect(w.alarms.get(AUTO_LOCK_ALARM)).toBe(start + 40 * MIN);
    w.clock.t += 10_000;
    await vault.touch();
    expect(w.alarms.get(AUTO_LOCK_ALARM)).toBe(w.clock.t + 30 * MIN);
  });
});

describe('auto-lock after idle (fake clock, alarms port)', () => {
  it('schedules the alarm at the deadline, extends it on activity, and locks when it fires', async () => {
    const w = world();
    const vault = w.vault();
    value(await vault.setup(hmacProfile, PASSWORD));
    const start = w.clock.t;
    expect(w.alarms.get(AUTO_LOCK_ALARM)).toBe(start + 30 * MIN);

    w.clock.t = start + 29 * MIN;
    await vault.touch();
    expect(w.alarms.get(AUTO_LOCK_ALARM)).toBe(start + 59 * MIN);

    // The alarm set before the touch would have fired at +30 min; the deadline moved, so nothing locks.
    w.clock.t = start + 30 * MIN;
    await vault.handleAlarm(AUTO_LOCK_ALARM);
    expect(value(await vault.status()).unlocked).toBe(true);

    // A restarted worker receives the alarm at the new deadline.
    w.clock.t = start + 59 * MIN;
    const restarted = w.vault();
    await restarted.handleAlarm(AUTO_LOCK_ALARM);
    expect(value(await restarted.status()).unlocked).toBe(false);
    expect(w.alarms.size).toBe(0);
    expect(w.session.data.size).toBe(0);
  });

  it('locks on access when the deadline passed even if the alarm never came', async () => {
    const w = world();
    const vault = w.vault();
    value(await vault.setup(hmacProfile, PASSWORD));
    w.clock.t += 30 * MIN;
    expect(await vault.signingKey()).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED', message: expect.stringMatching(/idle/) } });
    expect(w.session.data.size).toBe(0);
  });

  it('uses the configured idle time', async () => {
    const w = world();
    const vault = w.vault();
    value(await vault.setup(hmacProfile, PASSWORD));
    expect(await vault.setAutoLockMinutes(0)).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const s = value(await vault.setAutoLockMinutes(5));
    expect(s).toMatchObject({ autoLockMinutes: 5, autoLockAtMs: w.clock.t + 5 * MIN });
    w.clock.t += 5 * MIN - 1;
    expect((await vault.signingKey()).ok).toBe(true);
    w.clock.t += 1;
    await vault.handleAlarm(AUTO_LOCK_ALARM);
    expect(value(await vault.status()).unlocked).toBe(false);
  });

  it('ignores other alarms', async () => {
    const w = world();
    const vault = w.vault();
    value(await vault.setup(hmacProfile, PASSWORD));
    w.clock.t += 31 * MIN;
    await vault.handleAlarm('something.else');
    expect(w.session.data.has(SESSION_STORAGE_KEY)).toBe(true);
  });
});

describe('wrong passwords', () => {
  it.each([
    [1, 0],
    [2, 0],
    [3, 1000],
    [4, 2000],
    [5, 4000],
    [12, 300_000],
    [40, 300_000],
  ])('after %i failures the wait is %i ms', (failures, wait) => {
    expect(throttleDelayMs(failures)).toBe(wait);
  });

  it('gives one error whatever the cause, throttles with a growing wait that survives a restart, and resets on success', async () => {
    const w = world();
    const id = value(await w.vault().setup(hmacProfile, PASSWORD)).activeProfileId ?? '';
    let vault = w.vault();
    value(await vault.lock());
    const bad = { ok: false, error: { code: 'VAULT_BAD_PASSWORD', message: 'Wrong password.' } };

    expect(await vault.unlock(id, 'wrong 1')).toEqual(bad);
    expect(await vault.unlock(id, 'wrong 2')).toEqual(bad);
    expect(await vault.unlock(id, 'wrong 3')).toEqual(bad);
    expect(await vault.unlock(id, PASSWORD)).toEqual({ ok: false, error: { code: 'VAULT_THROTTLED', message: 'Too many wrong passwords. Try again in 1 s.' } });
    expect(value(await vault.status()).retryAfterMs).toBe(1000);

    w.clock.t += 1000;
    expect(await vault.unlock(id, 'wrong 4')).toEqual(bad);
    vault = w.vault(); // worker restart: the counter is in local storage
    w.clock.t += 1999;
    expect(await vault.unlock(id, PASSWORD)).toMatchObject({ ok: false, error: { code: 'VAULT_THROTTLED', message: expect.stringMatching(/in 1 s/) } });
    w.clock.t += 1;
    expect(await vault.unlock(id, 'wrong 5')).toEqual(bad);
    w.clock.t += 3999;
    expect(await vault.unlock(id, PASSWORD)).toMatchObject({ ok: false, error: { code: 'VAULT_THROTTLED' } });
    w.clock.t += 1;
    expect(value(await vault.unlock(id, PASSWORD)).unlocked).toBe(true);
    expect(w.local.data.has(THROTTLE_STORAGE_KEY)).toBe(false);
  });

  it('a tampered envelope on disk gives the same error as a wrong password', async () => {
    const w = world();
    const id = value(await w.vault().setup(hmacProfile, PASSWORD)).activeProfileId ?? '';
    const stored = JSON.parse(w.local.data.get(VAULT_STORAGE_KEY) ?? '');
    const ct = Buffer.from(stored.profiles[0].envelope.ciphertext, 'base64');
    ct[3] = (ct[3] ?? 0) ^ 0x80;
    stored.profiles[0].envelope.ciphertext = ct.toString('base64');
    await w.local.set(VAULT_STORAGE_KEY, stored);
    expect(await w.vault().unlock(id, PASSWORD)).toEqual({ ok: false, error: { code: 'VAULT_BAD_PASSWORD', message: 'Wrong password.' } });
  });

  it('an envelope copied onto another profile does not open as that profile', async () => {
    const w = world();
    const vault = w.vault();
    const a = value(await vault.setup(hmacProfile, PASSWORD)).activeProfileId ?? '';
    const b = value(await vault.setup(edProfile, PASSWORD)).activeProfileId ?? '';
    const stored = JSON.parse(w.local.data.get(VAULT_STORAGE_KEY) ?? '');
    stored.profiles[1].envelope = stored.profiles[0].envelope;
    await w.local.set(VAULT_STORAGE_KEY, stored);
    expect(await vault.unlock(b, PASSWORD)).toMatchObject({ ok: false, error: { code: 'VAULT_BAD_PASSWORD' } });
    expect((await vault.unlock(a, PASSWORD)).ok).toBe(true);
  });
});

describe('upgrade on unlock', () => {
  it('re-seals an envelope made with fewer iterations at the current default', async () => {
    const w = world();
    const id = value(await w.vault({ ...FAST, iterations: 5 }).setup(hmacProfile, PASSWORD)).activeProfileId ?? '';
    const iterations = () => JSON.parse(w.local.data.get(VAULT_STORAGE_KEY) ?? '').profiles[0].envelope.kdf.iterations;
    expect(iterations()).toBe(5);
    const phases: DerivePhase[] = [];
    const current = w.vault({ ...FAST, iterations: 12 });
    value(await current.lock());
    value(await current.unlock(id, PASSWORD, (p) => phases.push(p)));
    expect(iterations()).toBe(12);
    expect(phases).toEqual(['derive-start', 'derive-end', 'upgrade-start', 'upgrade-end']);
    // The session key now belongs to the re-sealed envelope: a restart still signs.
    expect(await hmacHex(w.vault(), PAYLOAD)).toBe(SIGNATURE);
  });
});

describe('production KDF', () => {
  it('a Vault without options seals at PBKDF2-SHA256 × 1,000,000', async () => {
    const w = world();
    value(await new Vault(w.ports).setup(hmacProfile, PASSWORD));
    const stored = JSON.parse(w.local.data.get(VAULT_STORAGE_KEY) ?? '');
    expect(stored.profiles[0].envelope.kdf).toEqual({ name: 'PBKDF2', hash: 'SHA-256', iterations: 1_000_000 });
  });
});

describe('profiles', () => {
  it('one password for the vault: a second profile needs it, and unlocking switches profiles', async () => {
    const w = world();
    const vault = w.vault();
    const a = value(await vault.setup(hmacProfile, PASSWORD)).activeProfileId ?? '';
    expect(await vault.setup(edProfile, 'another password')).toMatchObject({ ok: false, error: { code: 'VAULT_BAD_PASSWORD' } });
    const s = value(await vault.setup(edProfile, PASSWORD));
    expect(s.profiles.map((p) => p.name)).toEqual(['Main', 'Local']);
    expect(s.activeProfileId).not.toBe(a);
    expect(value(await vault.signingKey()).keyType).toBe('ed25519');
    let locks = 0;
    vault.onLock(() => locks++);
    value(await vault.unlock(a, PASSWORD));
    expect(locks).toBe(1);
    expect(await hmacHex(vault, PAYLOAD)).toBe(SIGNATURE);
  });

  it('unknown profile ids get a specific error', async () => {
    const w = world();
    const vault = w.vault();
    expect(await vault.unlock('p-none', PASSWORD)).toMatchObject({ ok: false, error: { code: 'VAULT_EMPTY' } });
    value(await vault.setup(hmacProfile, PASSWORD));
    expect(await vault.unlock('p-none', PASSWORD)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('deletes a profile only with the password; deleting the unlocked profile locks', async () => {
    const w = world();
    const vault = w.vault();
    const a = value(await vault.setup(hmacProfile, PASSWORD)).activeProfileId ?? '';
    const b = value(await vault.setup(edProfile, PASSWORD)).activeProfileId ?? '';
    expect(await vault.deleteProfile(a, 'wrong password')).toMatchObject({ ok: false, error: { code: 'VAULT_BAD_PASSWORD' } });
    expect(value(await vault.status()).profiles).toHaveLength(2);
    const afterA = value(await vault.deleteProfile(a, PASSWORD));
    expect(afterA).toMatchObject({ unlocked: true, activeProfileId: b });
    expect(afterA.profiles.map((p) => p.id)).toEqual([b]);
    const afterB = value(await vault.deleteProfile(b, PASSWORD));
    expect(afterB).toMatchObject({ unlocked: false, profiles: [] });
    expect(afterB.activeProfileId).toBeUndefined();
    expect(w.session.data.size).toBe(0);
  });

  it('storage it cannot parse is reported, not trusted', async () => {
    const w = world();
    await w.local.set(VAULT_STORAGE_KEY, { version: 1, profiles: 'nope' });
    expect(await w.vault().status()).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});

describe('change password', () => {
  it('re-seals every profile; the old password stops working; the live session keeps signing, also after a restart', async () => {
    const w = world();
    const vault = w.vault();
    const a = value(await vault.setup(hmacProfile, PASSWORD)).activeProfileId ?? '';
    const b = value(await vault.setup(edProfile, PASSWORD)).activeProfileId ?? '';
    value(await vault.unlock(a, PASSWORD));
    expect(await vault.changePassword('wrong password', 'new password 2')).toMatchObject({ ok: false, error: { code: 'VAULT_BAD_PASSWORD' } });
    expect(await vault.changePassword(PASSWORD, 'short')).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(value(await vault.changePassword(PASSWORD, 'new password 2')).unlocked).toBe(true);
    expect(await hmacHex(w.vault(), PAYLOAD)).toBe(SIGNATURE);

    value(await vault.lock());
    expect(await vault.unlock(a, PASSWORD)).toMatchObject({ ok: false, error: { code: 'VAULT_BAD_PASSWORD' } });
    expect((await vault.unlock(b, 'new password 2')).ok).toBe(true);
    expect((await vault.unlock(a, 'new password 2')).ok).toBe(true);
  });
});

describe('the secret never leaves the background', () => {
  /** Every 8-character window of `s`. */
  const windows = (s: string) => Array.from({ length: s.length - 7 }, (_, i) => s.slice(i, i + 8));
  // The seed-bearing part of the PEM body: the first 16 DER bytes (22 base64 chars) are the fixed Ed25519 header,
  // which the public key PEM shares, so windows start after them.
  const edBody = ED_PEM.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const edSeed = ED.privateKey.export({ format: 'jwk' }).d ?? '';
  const secrets = [...windows(SECRET), ...windows(edBody.slice(22)), ...windows(Buffer.from(edSeed, 'base64url').toString('hex')), ...windows(API_KEY), ...windows(ED_API_KEY)];

  it('appears in neither store, no status, no error message', async () => {
    const w = world();
    const vault = w.vault();
    const texts: string[] = [];
    const keep = (r: Result<VaultStatus>) => texts.push(JSON.stringify(r));

    keep(await vault.setup(withHmac({ secret: `${SECRET.slice(0, 20)} ${SECRET.slice(20)}` }), PASSWORD));
    keep(await vault.setup(withHmac({ apiKey: SECRET }), PASSWORD));
    keep(await vault.setup({ ...edProfile, credentials: { kind: 'ed25519', apiKey: ED_API_KEY, privateKeyPem: ED_PEM.replace(/PRIVATE/g, 'PUBLIC') } }, PASSWORD));
    keep(await vault.setup(withHmac({ secret: SECRET + SECRET }), PASSWORD));
    const a = value(await vault.setup(hmacProfile, PASSWORD)).activeProfileId ?? '';
    keep(await vault.setup(edProfile, PASSWORD));
    keep(await vault.status());
    keep(await vault.lock());
    for (let i = 0; i < 4; i++) keep(await vault.unlock(a, SECRET));
    keep(await vault.unlock(a, PASSWORD));
    w.clock.t += 10_000;
    keep(await vault.unlock(a, PASSWORD));
    keep(await vault.changePassword(SECRET, 'new password 2'));
    keep(await vault.changePassword(PASSWORD, SECRET));
    keep(await vault.deleteProfile(a, 'not the password'));
    keep(await vault.status());
    keep(await w.vault().status());
    value(await vault.signingKey());
    w.clock.t += 31 * MIN;
    texts.push(JSON.stringify(await vault.signingKey()));

    const haystacks = [w.local.dump(), w.session.dump(), ...texts];
    expect(texts.some((t) => t.includes('"unlocked":true'))).toBe(true);
    for (const h of haystacks) for (const s of secrets) expect(h, `leak of ${s}`).not.toContain(s);
  });
});

describe('storageAreaStore', () => {
  it('adapts a chrome.storage area (object-keyed get/set/remove)', async () => {
    const items: Record<string, unknown> = {};
    const store = storageAreaStore({
      get: async (key) => (key in items ? { [key]: items[key] } : {}),
      set: async (next) => void Object.assign(items, next),
      remove: async (key) => void delete items[key],
    });
    expect(await store.get('k')).toBeUndefined();
    await store.set('k', { a: 1 });
    expect(await store.get('k')).toEqual({ a: 1 });
    await store.remove('k');
    expect(items).toEqual({});
  });
});
