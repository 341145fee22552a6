/**
 * The vault: Binance credentials sealed at rest (src/core/envelope.ts), unlocked for a session, handed only to the
 * background's signer. chrome.* is reached only through the injected ports, so the whole adapter runs in Node tests.
 *
 * Storage layout
 * - `chrome.storage.local` (disk): {@link VAULT_STORAGE_KEY} holds the profiles, each with its own envelope and,
 *   in clear, only what the UI shows (masked API key, Ed25519 public key); {@link THROTTLE_STORAGE_KEY} holds the
 *   wrong-password counter, so a worker restart does not reset the delay.
 * - `chrome.storage.session` (memory only, trusted contexts only, cleared when the browser closes):
 *   {@link SESSION_STORAGE_KEY} holds the AES key bytes derived at unlock and the auto-lock deadline. A restarted
 *   worker re-imports that key non-extractable and opens the envelope, so a hotkey order after a restart signs
 *   without a prompt. Trade-off in docs/security.md. {@link PENDING_KEYPAIR_KEY} holds an Ed25519 key pair
 *   generated for set-up until `setup` seals it (the user is away registering its public key on Binance).
 *
 * Session state is the source of truth: the in-memory caches are rebuilt from it and checked against it on every
 * access, so a lock (by any instance, by the alarm, by the deadline passing) cannot be bypassed by a stale cache.
 */
import {
  DEFAULT_KDF,
  EnvelopeSchema,
  KEY_BYTES,
  fromBase64,
  open,
  openWithKeyBytes,
  sealForSession,
  toBase64,
  unlockEnvelope,
  type CryptoDeps,
  type DerivePhase,
  type Kdf,
} from '../core/envelope.ts';
import {
  ed25519PublicKeyPem,
  generateEd25519KeyPair,
  maskKey,
  parseEd25519PrivateKeyPem,
  validateCredentials,
  type CredentialsInput,
  type KeyType,
} from '../core/keys.ts';
import { createSigner, type Signer } from '../core/signer.ts';
import {
  ProfileInfoSchema,
  type Environment,
  type RequestOf,
  type VaultStatus,
} from '../shared/messages.ts';
import { assertNever, err, ok, type AppError, type Result } from '../shared/result.ts';
import { z } from '../shared/zod.ts';

// ---------------------------------------------------------------------------------------------------------------
// Ports

/** A JSON key-value area: `chrome.storage.local` or `chrome.storage.session` behind {@link storageAreaStore}. */
export interface KeyValueStore {
  /** The stored value, or undefined when absent. */
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

/** One-shot alarms (`chrome.alarms`); the background forwards `onAlarm` to {@link Vault.handleAlarm}. */
export interface AlarmsPort {
  create(name: string, whenMs: number): Promise<void> | void;
  clear(name: string): Promise<unknown> | void;
}

/** Everything the vault touches outside itself. */
export interface VaultPorts extends CryptoDeps {
  readonly local: KeyValueStore;
  readonly session: KeyValueStore;
  readonly alarms: AlarmsPort;
  /** Wall-clock milliseconds (Date.now in the worker). */
  readonly now: () => number;
}

/** Tuning; tests lower the KDF cost, production uses the defaults. */
export interface VaultOptions {
  /** KDF for new envelopes and the upgrade target on unlock. Default {@link DEFAULT_KDF}. */
  readonly kdf?: Kdf;
}

/** The structural part of `chrome.storage.StorageArea` the adapter needs. */
export interface StorageAreaLike {
  get(keys: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string): Promise<void>;
}

/** Adapts a `chrome.storage` area to {@link KeyValueStore}. */
export function storageAreaStore(area: StorageAreaLike): KeyValueStore {
  return {
    get: async (key) => (await area.get(key))[key],
    set: (key, value) => area.set({ [key]: value }),
    remove: (key) => area.remove(key),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Storage keys and what a lock clears

export const VAULT_STORAGE_KEY = 'strike.vault.v1';
export const THROTTLE_STORAGE_KEY = 'strike.vault.throttle.v1';
export const SESSION_STORAGE_KEY = 'strike.vault.session.v1';
export const PENDING_KEYPAIR_KEY = 'strike.vault.pendingKeyPair.v1';
export const AUTO_LOCK_ALARM = 'strike.vault.autoLock';
/** Activity pushes the auto-lock deadline at most this often: minutes of idle time do not need finer steps. */
export const TOUCH_EVERY_MS = 30_000;

/** In-memory caches of an unlocked session; every one of them is listed in {@link CLEARED_ON_LOCK}. */
interface Memory {
  /** Decrypted credentials of the unlocked profile, tagged with the session they belong to. */
  credentials?: { readonly sessionId: string; readonly value: UnlockedCredentials };
  /** The signer around the non-extractable key, imported once per session. */
  signingKey?: { readonly sessionId: string; readonly value: SigningMaterial };
  /** The session record as last read or written by this worker, without its key: the hot path's lock check. */
  live?: { readonly sessionId: string; readonly profileId: string; readonly deadline: number };
}

/**
 * Everything a lock wipes, declared as data (Bitwarden's clear-on-lock pattern): a new cache or stored item that
 * holds key material must be added here, and {@link Vault.lock} clears exactly this list.
 */
export const CLEARED_ON_LOCK = {
  session: [SESSION_STORAGE_KEY],
  alarms: [AUTO_LOCK_ALARM],
  memory: ['credentials', 'signingKey', 'live'],
} as const satisfies { session: readonly string[]; alarms: readonly string[]; memory: readonly (keyof Memory)[] };

// ---------------------------------------------------------------------------------------------------------------
// Schemas

export const KeyTypeSchema = z.enum(['hmac', 'ed25519']);

/** Endpoint overrides for a profile (the local exchange's port, a demo host); absent → the environment's defaults. */
export const BaseUrlsSchema = z.strictObject({
  rest: z.optional(z.url()),
  wsApi: z.optional(z.url()),
  streams: z.optional(z.url()),
});
export type BaseUrls = z.infer<typeof BaseUrlsSchema>;

export const MAX_PROFILES = 20;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;
export const AUTO_LOCK_MINUTES_DEFAULT = 30;
export const AUTO_LOCK_MINUTES_MAX = 24 * 60;

/**
 * Credentials as the `vault.setup` message carries them (src/shared/messages.ts), minus `prefill`, which the
 * handler resolves into one of these before calling {@link Vault.setup}.
 */
export type SetupCredentials = Exclude<RequestOf<'vault.setup'>['credentials'], { kind: 'prefill' }>;

/** A profile as entered on the set-up screen. The only input that carries a secret, and only inward. */
export interface SetupInput {
  readonly name: string;
  readonly environment: Environment;
  readonly baseUrls?: BaseUrls;
  readonly credentials: SetupCredentials;
}

type ProfileInfo = z.infer<typeof ProfileInfoSchema>;

const StoredProfileSchema = z.strictObject({ ...ProfileInfoSchema.shape, baseUrls: z.optional(BaseUrlsSchema), envelope: EnvelopeSchema });
type StoredProfile = z.infer<typeof StoredProfileSchema>;

const VaultRecordSchema = z.strictObject({
  version: z.literal(1),
  profiles: z.array(StoredProfileSchema).check(z.maxLength(MAX_PROFILES)),
  /** Last unlocked profile, preselected on the unlock screen. */
  activeProfileId: z.nullable(z.string()),
  autoLockMinutes: z.int().check(z.minimum(1), z.maximum(AUTO_LOCK_MINUTES_MAX)),
});
type VaultRecord = z.infer<typeof VaultRecordSchema>;

const ThrottleSchema = z.strictObject({ failures: z.int().check(z.minimum(0)), lastFailureAt: z.number() });
type Throttle = z.infer<typeof ThrottleSchema>;

const SessionRecordSchema = z.strictObject({
  /** Random id of this unlock; memory caches carry it so a cache from another session is never used. */
  sessionId: z.string(),
  profileId: z.string(),
  /** Raw AES-256 key bytes (base64) that open the profile's envelope. */
  key: z.string().check(
    z.refine((s) => {
      try {
        return fromBase64(s).length === KEY_BYTES;
      } catch {
        return false;
      }
    }),
  ),
  deadline: z.number(),
});
type SessionRecord = z.infer<typeof SessionRecordSchema>;

/** The sealed plaintext. `profileId` binds an envelope to its profile, so envelopes swapped on disk fail to open. */
const PayloadSchema = z.strictObject({
  version: z.literal(1),
  profileId: z.string(),
  keyType: KeyTypeSchema,
  apiKey: z.string(),
  secret: z.string(),
});
type Payload = z.infer<typeof PayloadSchema>;

const PendingKeyPairSchema = z.strictObject({ privateKeyPem: z.string(), publicKeyPem: z.string() });

/** Credentials of the unlocked profile, as {@link Vault.withSecret} hands them to background code. */
export interface UnlockedCredentials {
  readonly profileId: string;
  readonly environment: Environment;
  readonly baseUrls: BaseUrls | undefined;
  readonly keyType: KeyType;
  readonly apiKey: string;
  /** HMAC secret, or the Ed25519 PKCS#8 PEM. */
  readonly secret: string;
}

/** What the request path needs: the API key for `X-MBX-APIKEY` and a signer over a non-extractable key. */
export interface SigningMaterial {
  readonly profileId: string;
  readonly environment: Environment;
  readonly baseUrls: BaseUrls | undefined;
  readonly keyType: KeyType;
  readonly apiKey: string;
  /** HMAC-SHA256 hex or Ed25519 base64 (fact sheet §2), from src/core/signer.ts. */
  readonly signer: Signer;
}

// ---------------------------------------------------------------------------------------------------------------
// Throttle (pure)

/** Longest wait between attempts. The throttle slows a person guessing at the keyboard; PBKDF2 slows offline attacks. */
export const THROTTLE_MAX_MS = 5 * 60_000;

/** Wait after `failures` consecutive wrong passwords: 0, 0, 1 s, 2 s, 4 s, … capped at {@link THROTTLE_MAX_MS}. */
export function throttleDelayMs(failures: number): number {
  if (failures < 3) return 0;
  return Math.min(1000 * 2 ** (failures - 3), THROTTLE_MAX_MS);
}

/** Milliseconds until the next attempt is allowed (0 = now). */
export function throttleWaitMs(throttle: Throttle, now: number): number {
  const elapsed = now - throttle.lastFailureAt;
  // A clock set backwards ends the wait instead of locking the user out until the clock catches up.
  if (elapsed < 0) return 0;
  return Math.max(0, throttleDelayMs(throttle.failures) - elapsed);
}

// ---------------------------------------------------------------------------------------------------------------
// Errors (fixed texts: nothing from the input is ever interpolated)

const BAD_PASSWORD: AppError = { code: 'VAULT_BAD_PASSWORD', message: 'Wrong password.' };
const fail = <T>(e: AppError): Result<T> => ({ ok: false, error: e });
const lockedErr = <T>(): Result<T> => err<T>('VAULT_LOCKED', 'The vault is locked. Unlock it to trade.');
const unreadable = <T>(): Result<T> =>
  err<T>('INTERNAL', 'The vault storage is unreadable. Delete the extension data and set the keys up again.');

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function emptyRecord(): VaultRecord {
  return { version: 1, profiles: [], activeProfileId: null, autoLockMinutes: AUTO_LOCK_MINUTES_DEFAULT };
}

function info(p: StoredProfile): ProfileInfo {
  return {
    id: p.id,
    name: p.name,
    environment: p.environment,
    keyType: p.keyType,
    apiKeyMasked: p.apiKeyMasked,
    ...(p.publicKeyPem !== undefined ? { publicKeyPem: p.publicKeyPem } : {}),
  };
}

function checkNewPassword(password: string): Result<void> {
  if (password.length < PASSWORD_MIN) return err('VALIDATION', `Choose a password of at least ${PASSWORD_MIN} characters.`);
  if (password.length > PASSWORD_MAX) return err('VALIDATION', `The password is longer than ${PASSWORD_MAX} characters.`);
  return ok(undefined);
}

// ---------------------------------------------------------------------------------------------------------------

/** The background's vault. One instance per worker life; state that must outlive the worker is in the ports. */
export class Vault {
  private readonly ports: VaultPorts;
  private readonly kdf: Kdf;
  private memory: Memory = {};
  private lastTouchMs = Number.NEGATIVE_INFINITY;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly lockListeners: Array<() => void> = [];

  constructor(ports: VaultPorts, options: VaultOptions = {}) {
    this.ports = ports;
    this.kdf = options.kdf ?? DEFAULT_KDF;
  }

  // ---- public operations --------------------------------------------------------------------------------------

  /**
   * Adds a profile sealed under `password` and unlocks it. With profiles already present the password must be the
   * vault's current one (one password for the whole vault), checked like an unlock (throttled).
   */
  setup(input: SetupInput, password: string): Promise<Result<VaultStatus>> {
    return this.exclusive(async () => {
      const pw = checkNewPassword(password);
      if (!pw.ok) return pw;
      const name = input.name.trim();
      if (name === '') return err('VALIDATION', 'Name the profile.');
      const entered = await this.credentialsInput(input.credentials);
      if (!entered.ok) return entered;
      const creds = validateCredentials(entered.value);
      if (!creds.ok) return creds;
      const record = await this.loadRecord();
      if (!record.ok) return record;
      if (record.value.profiles.length >= MAX_PROFILES) return err('VALIDATION', `At most ${MAX_PROFILES} profiles.`);
      const first = record.value.profiles[0];
      if (first) {
        const verified = await this.attempt(first.id, () => open(first.envelope, password, this.ports), (pt) => pt);
        if (!verified.ok) return verified;
      }
      const id = `p-${hex(this.ports.randomBytes(6))}`;
      let publicKeyPem: string | undefined;
      if (creds.value.keyType === 'ed25519') {
        const parsed = parseEd25519PrivateKeyPem(creds.value.secret);
        if (!parsed.ok) return parsed;
        publicKeyPem = await ed25519PublicKeyPem(parsed.value, this.ports.subtle);
      }
      const payload: Payload = { version: 1, profileId: id, ...creds.value };
      const sealed = await sealForSession(JSON.stringify(payload), password, this.ports, this.kdf);
      const profile: StoredProfile = {
        id,
        name,
        environment: input.environment,
        ...(input.baseUrls ? { baseUrls: input.baseUrls } : {}),
        keyType: creds.value.keyType,
        apiKeyMasked: maskKey(creds.value.apiKey),
        ...(publicKeyPem !== undefined ? { publicKeyPem } : {}),
        envelope: sealed.envelope,
      };
      const next: VaultRecord = { ...record.value, profiles: [...record.value.profiles, profile], activeProfileId: id };
      await this.ports.local.set(VAULT_STORAGE_KEY, next);
      if (input.credentials.kind === 'ed25519-generated') await this.ports.session.remove(PENDING_KEYPAIR_KEY);
      await this.startSession(next, profile, payload, sealed.keyBytes);
      return this.statusOf(next);
    });
  }

  /**
   * Generates an Ed25519 key pair for set-up and returns its public key for the user to register on Binance. The
   * private key stays in session storage (memory only) until `setup` with `ed25519-generated` seals it; a new
   * call replaces it.
   */
  generateEd25519(): Promise<Result<{ publicKeyPem: string }>> {
    return this.exclusive(async () => {
      const pair = await generateEd25519KeyPair(this.ports.subtle);
      await this.ports.session.set(PENDING_KEYPAIR_KEY, pair);
      return ok({ publicKeyPem: pair.publicKeyPem });
    });
  }

  /**
   * Unlocks `profileId`. Reports the derivation phases through `onProgress`. A wrong password (or any damage to
   * the envelope) gives the one VAULT_BAD_PASSWORD error; repeated failures are delayed (VAULT_THROTTLED). An
   * envelope sealed below the current KDF defaults is re-sealed at them.
   */
  unlock(profileId: string, password: string, onProgress?: (phase: DerivePhase) => void): Promise<Result<VaultStatus>> {
    return this.exclusive(async () => {
      const record = await this.loadRecord();
      if (!record.ok) return record;
      const profile = record.value.profiles.find((p) => p.id === profileId);
      if (!profile) return this.missingProfile(record.value);
      const opened = await this.attempt(
        profileId,
        () => unlockEnvelope(profile.envelope, password, this.ports, this.kdf, onProgress),
        (u) => u.plaintext,
      );
      if (!opened.ok) return opened;
      const next: VaultRecord = {
        ...record.value,
        activeProfileId: profileId,
        profiles: record.value.profiles.map((p) => (p.id === profileId ? { ...p, envelope: opened.value.value.envelope } : p)),
      };
      await this.ports.local.set(VAULT_STORAGE_KEY, next);
      await this.startSession(next, profile, opened.value.payload, opened.value.value.keyBytes);
      return this.statusOf(next);
    });
  }

  /** Locks now: clears exactly {@link CLEARED_ON_LOCK}. */
  lock(): Promise<Result<VaultStatus>> {
    return this.exclusive(async () => {
      await this.clearSession();
      return this.status0();
    });
  }

  /** Re-seals every profile under `newPassword` (all or nothing). An unlocked session stays unlocked. */
  changePassword(oldPassword: string, newPassword: string): Promise<Result<VaultStatus>> {
    return this.exclusive(async () => {
      const pw = checkNewPassword(newPassword);
      if (!pw.ok) return pw;
      const record = await this.loadRecord();
      if (!record.ok) return record;
      if (record.value.profiles.length === 0) return err('VAULT_EMPTY', 'No profile is set up yet.');
      const profiles: StoredProfile[] = [];
      const newKeys = new Map<string, Uint8Array<ArrayBuffer>>();
      for (const p of record.value.profiles) {
        const opened = await this.attempt(p.id, () => unlockEnvelope(p.envelope, oldPassword, this.ports, this.kdf), (u) => u.plaintext);
        if (!opened.ok) return opened;
        const sealed = await sealForSession(JSON.stringify(opened.value.payload), newPassword, this.ports, this.kdf);
        profiles.push({ ...p, envelope: sealed.envelope });
        newKeys.set(p.id, sealed.keyBytes);
      }
      const next: VaultRecord = { ...record.value, profiles };
      await this.ports.local.set(VAULT_STORAGE_KEY, next);
      // The old session key opens the old envelope only: hand the live session the new one.
      const session = await this.readSession();
      const newKey = session ? newKeys.get(session.profileId) : undefined;
      if (session && newKey) await this.ports.session.set(SESSION_STORAGE_KEY, { ...session, key: toBase64(newKey) });
      return this.statusOf(next);
    });
  }

  /** Deletes a profile after checking the password against its envelope. Deleting the unlocked profile locks. */
  deleteProfile(profileId: string, password: string): Promise<Result<VaultStatus>> {
    return this.exclusive(async () => {
      const record = await this.loadRecord();
      if (!record.ok) return record;
      const profile = record.value.profiles.find((p) => p.id === profileId);
      if (!profile) return this.missingProfile(record.value);
      const verified = await this.attempt(profileId, () => open(profile.envelope, password, this.ports), (pt) => pt);
      if (!verified.ok) return verified;
      const profiles = record.value.profiles.filter((p) => p.id !== profileId);
      const activeProfileId = record.value.activeProfileId === profileId ? (profiles[0]?.id ?? null) : record.value.activeProfileId;
      const next: VaultRecord = { ...record.value, profiles, activeProfileId };
      await this.ports.local.set(VAULT_STORAGE_KEY, next);
      const session = await this.readSession();
      if (session?.profileId === profileId) await this.clearSession();
      return this.statusOf(next);
    });
  }

  /** Sets the idle auto-lock time; a live session's deadline restarts from now. */
  setAutoLockMinutes(minutes: number): Promise<Result<VaultStatus>> {
    return this.exclusive(async () => {
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > AUTO_LOCK_MINUTES_MAX) {
        return err('VALIDATION', `Auto-lock must be a whole number of minutes from 1 to ${AUTO_LOCK_MINUTES_MAX}.`);
      }
      const record = await this.loadRecord();
      if (!record.ok) return record;
      const next: VaultRecord = { ...record.value, autoLockMinutes: minutes };
      await this.ports.local.set(VAULT_STORAGE_KEY, next);
      await this.extend(next);
      return this.statusOf(next);
    });
  }

  /**
   * User activity (a click, a hotkey): pushes the auto-lock deadline to now + idle time. No-op while locked. At most
   * once every {@link TOUCH_EVERY_MS}: each push is four storage and alarm calls, and the browser answers an
   * extension's calls in order, so on every click they would delay the order journal's write queued behind them.
   */
  touch(): Promise<void> {
    const now = this.ports.now();
    if (this.memory.live !== undefined && now - this.lastTouchMs < TOUCH_EVERY_MS) return Promise.resolve();
    this.lastTouchMs = now;
    return this.exclusive(async () => {
      const record = await this.loadRecord();
      if (record.ok) await this.extend(record.value);
    });
  }

  /** `chrome.alarms.onAlarm` forwarder: locks when the auto-lock deadline has passed. */
  handleAlarm(name: string): Promise<void> {
    if (name !== AUTO_LOCK_ALARM) return Promise.resolve();
    return this.exclusive(async () => {
      await this.readLive();
    });
  }

  /** Public state: profiles with masked keys, whether unlocked, active profile, auto-lock deadline. No secret. */
  status(): Promise<Result<VaultStatus>> {
    return this.exclusive(() => this.status0());
  }

  /**
   * Runs `fn` with the unlocked profile's credentials. For background code only: the result of `fn` must not
   * carry the secret into a message. Locked (or idle past the deadline) → VAULT_LOCKED and `fn` is not called.
   */
  async withSecret<T>(fn: (credentials: UnlockedCredentials) => T | Promise<T>): Promise<Result<T>> {
    const creds = await this.exclusive(() => this.credentials());
    if (!creds.ok) return creds;
    return ok(await fn(creds.value));
  }

  /** The signer's material: API key and a non-extractable signing key, imported once per session. */
  signingKey(): Promise<Result<SigningMaterial>> {
    return this.exclusive(async () => {
      const live = await this.readLive();
      if (!live.ok) return live;
      const cached = this.memory.signingKey;
      if (cached?.sessionId === live.value.sessionId) return ok(cached.value);
      const creds = await this.credentials();
      if (!creds.ok) return creds;
      const c = creds.value;
      const value: SigningMaterial = {
        profileId: c.profileId,
        environment: c.environment,
        baseUrls: c.baseUrls,
        keyType: c.keyType,
        apiKey: c.apiKey,
        signer: await createSigner(this.signingKeyOf(c), this.ports.subtle),
      };
      this.memory.signingKey = { sessionId: live.value.sessionId, value };
      return ok(value);
    });
  }

  /**
   * The unlocked profile's id from memory alone, for the order hot path (no storage round trip). Null when this
   * worker has not read the session yet or the auto-lock deadline has passed: the caller then takes
   * {@link status}, which reads storage and locks on a passed deadline (failing closed). Sound because the session
   * record is only written by this worker, and every lock (manual, alarm, deadline, profile deletion or switch)
   * goes through `clearSession`, which clears this memory before anything else.
   */
  liveProfileId(): string | null {
    const live = this.memory.live;
    return live !== undefined && this.ports.now() < live.deadline ? live.profileId : null;
  }

  /**
   * `chrome.storage.session.onChanged` forwarder for {@link SESSION_STORAGE_KEY}: the memory view behind
   * {@link liveProfileId} follows the stored session (storage stays the source of truth, whoever writes it).
   */
  sessionChanged(raw: unknown): void {
    this.adoptSession(raw);
  }

  /** Registers a callback run after every lock (manual, idle, profile deletion), e.g. to log out a WS API session. */
  onLock(listener: () => void): void {
    this.lockListeners.push(listener);
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  /** Serialises operations so two unlocks cannot race past the throttle and a lock cannot interleave a restore. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async loadRecord(): Promise<Result<VaultRecord>> {
    const raw = await this.ports.local.get(VAULT_STORAGE_KEY);
    if (raw === undefined) return ok(emptyRecord());
    const parsed = VaultRecordSchema.safeParse(raw);
    return parsed.success ? ok(parsed.data) : unreadable();
  }

  private async loadThrottle(): Promise<Throttle> {
    const parsed = ThrottleSchema.safeParse(await this.ports.local.get(THROTTLE_STORAGE_KEY));
    // Unreadable counter: count from zero rather than lock the user out; the KDF cost still applies.
    return parsed.success ? parsed.data : { failures: 0, lastFailureAt: 0 };
  }

  /**
   * One password check under the throttle: refuses while a wait is due, records a failure, clears the counter on
   * success. On success the opened payload must belong to `profileId`, else it counts as a failure too (an
   * envelope copied from another profile).
   */
  private async attempt<T>(
    profileId: string,
    check: () => Promise<Result<T>>,
    plaintextOf: (value: T) => string,
  ): Promise<Result<{ value: T; payload: Payload }>> {
    const throttle = await this.loadThrottle();
    const now = this.ports.now();
    const wait = throttleWaitMs(throttle, now);
    if (wait > 0) {
      return err('VAULT_THROTTLED', `Too many wrong passwords. Try again in ${Math.ceil(wait / 1000)} s.`);
    }
    const result = await check();
    const payload = result.ok ? this.parsePayload(plaintextOf(result.value), profileId) : null;
    if (!result.ok || payload === null) {
      await this.ports.local.set(THROTTLE_STORAGE_KEY, { failures: throttle.failures + 1, lastFailureAt: this.ports.now() });
      return fail(BAD_PASSWORD);
    }
    if (throttle.failures > 0) await this.ports.local.remove(THROTTLE_STORAGE_KEY);
    return ok({ value: result.value, payload });
  }

  private parsePayload(plaintext: string, profileId: string): Payload | null {
    let json: unknown;
    try {
      json = JSON.parse(plaintext);
    } catch {
      return null;
    }
    const parsed = PayloadSchema.safeParse(json);
    return parsed.success && parsed.data.profileId === profileId ? parsed.data : null;
  }

  private missingProfile<T>(record: VaultRecord): Result<T> {
    return record.profiles.length === 0
      ? err('VAULT_EMPTY', 'No profile is set up yet.')
      : err('BAD_REQUEST', 'That profile does not exist (it may have been deleted).');
  }

  private async startSession(record: VaultRecord, profile: StoredProfile, payload: Payload, keyBytes: Uint8Array<ArrayBuffer>): Promise<void> {
    // Switching profiles ends the previous session as a lock would, so its listeners (a WS API logon) are told.
    if ((await this.readSession()) !== null) await this.clearSession();
    this.clearMemory();
    const session: SessionRecord = {
      sessionId: hex(this.ports.randomBytes(8)),
      profileId: profile.id,
      key: toBase64(keyBytes),
      deadline: this.ports.now() + record.autoLockMinutes * 60_000,
    };
    await this.ports.session.set(SESSION_STORAGE_KEY, session);
    this.remember(session);
    await this.ports.alarms.create(AUTO_LOCK_ALARM, session.deadline);
    this.memory.credentials = { sessionId: session.sessionId, value: this.credentialsOf(profile, payload) };
  }

  private credentialsOf(profile: StoredProfile, payload: Payload): UnlockedCredentials {
    return {
      profileId: profile.id,
      environment: profile.environment,
      baseUrls: profile.baseUrls,
      keyType: payload.keyType,
      apiKey: payload.apiKey,
      secret: payload.secret,
    };
  }

  private async readSession(): Promise<SessionRecord | null> {
    return this.adoptSession(await this.ports.session.get(SESSION_STORAGE_KEY));
  }

  /** Parses a stored session record and brings the memory view in line with it: null (and no view) if unreadable. */
  private adoptSession(raw: unknown): SessionRecord | null {
    const parsed = SessionRecordSchema.safeParse(raw);
    if (!parsed.success) {
      delete this.memory.live;
      return null;
    }
    this.remember(parsed.data);
    return parsed.data;
  }

  private remember(session: SessionRecord): void {
    this.memory.live = { sessionId: session.sessionId, profileId: session.profileId, deadline: session.deadline };
  }

  /** The session if it is live; a passed deadline (alarm late or missed) locks here, failing closed. */
  private async readLive(): Promise<Result<SessionRecord>> {
    const session = await this.readSession();
    if (session === null) {
      // Nothing (or something unreadable) in session storage: make sure no cache or alarm outlives it.
      if (this.memory.credentials || this.memory.signingKey) await this.clearSession();
      return lockedErr();
    }
    if (this.ports.now() >= session.deadline) {
      await this.clearSession();
      return err('VAULT_LOCKED', 'The vault locked itself after the idle time. Unlock it to trade.');
    }
    return ok(session);
  }

  /** Credentials of the live session, from memory or, after a worker restart, re-opened with the session key. */
  private async credentials(): Promise<Result<UnlockedCredentials>> {
    const live = await this.readLive();
    if (!live.ok) return live;
    const cached = this.memory.credentials;
    if (cached?.sessionId === live.value.sessionId) return ok(cached.value);
    const record = await this.loadRecord();
    const profile = record.ok ? record.value.profiles.find((p) => p.id === live.value.profileId) : undefined;
    const opened = profile ? await openWithKeyBytes(profile.envelope, fromBase64(live.value.key), this.ports.subtle) : null;
    const payload = profile && opened?.ok ? this.parsePayload(opened.value, profile.id) : null;
    if (!profile || !payload) {
      // The session key no longer opens the envelope (profile replaced or storage altered): fail closed.
      await this.clearSession();
      return lockedErr();
    }
    const value = this.credentialsOf(profile, payload);
    this.memory.credentials = { sessionId: live.value.sessionId, value };
    return ok(value);
  }

  private signingKeyOf(c: UnlockedCredentials): Parameters<typeof createSigner>[0] {
    if (c.keyType === 'hmac') return { kind: 'hmac', secret: c.secret };
    const parsed = parseEd25519PrivateKeyPem(c.secret);
    // The sealed PEM was validated at set-up and is authenticated by GCM: failing to parse now is a bug.
    if (!parsed.ok) throw new Error('sealed Ed25519 key no longer parses');
    return { kind: 'ed25519', pkcs8: parsed.value.pkcs8 };
  }

  /** The set-up form's credentials as {@link validateCredentials} takes them; a generated key comes from session. */
  private async credentialsInput(c: SetupCredentials): Promise<Result<CredentialsInput>> {
    switch (c.kind) {
      case 'hmac':
        return ok({ keyType: 'hmac', apiKey: c.apiKey, secret: c.secret });
      case 'ed25519':
        return ok({ keyType: 'ed25519', apiKey: c.apiKey, secret: c.privateKeyPem });
      case 'ed25519-generated': {
        const pending = PendingKeyPairSchema.safeParse(await this.ports.session.get(PENDING_KEYPAIR_KEY));
        if (!pending.success) {
          return err('VAULT_BAD_KEY', 'The generated key pair is gone (the browser was restarted). Generate a new one and register it on Binance.');
        }
        return ok({ keyType: 'ed25519', apiKey: c.apiKey, secret: pending.data.privateKeyPem });
      }
      default:
        return assertNever(c);
    }
  }

  private async extend(record: VaultRecord): Promise<void> {
    const live = await this.readLive();
    if (!live.ok) return;
    const deadline = this.ports.now() + record.autoLockMinutes * 60_000;
    const extended: SessionRecord = { ...live.value, deadline };
    await this.ports.session.set(SESSION_STORAGE_KEY, extended);
    this.remember(extended);
    await this.ports.alarms.create(AUTO_LOCK_ALARM, deadline);
  }

  private clearMemory(): void {
    for (const k of CLEARED_ON_LOCK.memory) delete this.memory[k];
  }

  private async clearSession(): Promise<void> {
    this.clearMemory();
    for (const k of CLEARED_ON_LOCK.session) await this.ports.session.remove(k);
    for (const a of CLEARED_ON_LOCK.alarms) await this.ports.alarms.clear(a);
    for (const l of this.lockListeners) l();
  }

  private async status0(): Promise<Result<VaultStatus>> {
    const record = await this.loadRecord();
    return record.ok ? this.statusOf(record.value) : record;
  }

  private async statusOf(record: VaultRecord): Promise<Result<VaultStatus>> {
    const live = await this.readLive();
    const throttle = await this.loadThrottle();
    const now = this.ports.now();
    const wait = throttleWaitMs(throttle, now);
    const activeProfileId = live.ok ? live.value.profileId : record.activeProfileId;
    return ok({
      profiles: record.profiles.map(info),
      unlocked: live.ok,
      ...(activeProfileId !== null ? { activeProfileId } : {}),
      autoLockMinutes: record.autoLockMinutes,
      ...(live.ok ? { autoLockAtMs: live.value.deadline } : {}),
      retryAfterMs: wait,
    });
  }
}
