/**
 * The vault forms' checks, as pure functions of the values typed in. They catch what the trader can fix before a
 * round trip (a repeated password that differs, a missing mainnet confirmation, an empty key) and then parse the
 * request with the contract's own schema, so the panel never sends something the background would refuse on shape.
 */
import { RequestSchema, type Environment, type RequestOf } from '../shared/messages.ts';

/** A new vault password must be at least this long: it is all that stands between a stolen disk and the API key. */
export const MIN_PASSWORD_LENGTH = 8;

export type KeyKind = 'hmac' | 'ed25519' | 'ed25519-generated';

export interface SetupValues {
  readonly name: string;
  readonly environment: string;
  readonly confirmMainnet: boolean;
  readonly kind: KeyKind;
  readonly apiKey: string;
  readonly secret: string;
  readonly privateKeyPem: string;
  /** True once `vault.generateEd25519` returned a public key for this form. */
  readonly generated: boolean;
  readonly password: string;
  readonly repeat: string;
}

/** The field to focus and the message to show next to it. */
export interface FormProblem {
  readonly field: string;
  readonly message: string;
}

export type FormCheck<T> = { ok: true; value: T } | { ok: false; problem: FormProblem };

const problem = <T>(field: string, message: string): FormCheck<T> => ({ ok: false, problem: { field, message } });

/** A new password and its repetition: long enough, and the same. `null` when fine. */
export function checkNewPassword(password: string, repeat: string, field = 'password', repeatField = 'repeat'): FormProblem | null {
  if (password.length === 0) return { field, message: 'Choose a password for this profile.' };
  if (password.length < MIN_PASSWORD_LENGTH) {
    return { field, message: `Use at least ${MIN_PASSWORD_LENGTH} characters: this password is all that protects the API key on this computer.` };
  }
  if (password !== repeat) return { field: repeatField, message: 'The two passwords differ: type the same password twice.' };
  return null;
}

/** Mainnet trades real money: the form must carry an explicit tick. `null` when fine. */
export function checkMainnet(environment: string, confirmed: boolean, field = 'confirmMainnet'): FormProblem | null {
  if (environment === 'mainnet' && !confirmed) {
    return { field, message: 'Mainnet trades real money: tick “I understand this trades real money” to continue.' };
  }
  return null;
}

function credentialsOf(v: SetupValues): FormCheck<RequestOf<'vault.setup'>['credentials']> {
  const apiKey = v.apiKey.trim();
  switch (v.kind) {
    case 'hmac':
      if (apiKey === '') return problem('apiKey', 'Paste the API key Binance showed when you created it.');
      if (v.secret.trim() === '') return problem('secret', 'Paste the secret key (shown once by Binance, next to the API key).');
      return { ok: true, value: { kind: 'hmac', apiKey, secret: v.secret.trim() } };
    case 'ed25519':
      if (apiKey === '') return problem('apiKey', 'Paste the API key Binance gave for your registered Ed25519 public key.');
      if (!/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(v.privateKeyPem)) {
        return problem('privateKeyPem', 'Paste the whole private key, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----.');
      }
      return { ok: true, value: { kind: 'ed25519', apiKey, privateKeyPem: v.privateKeyPem.trim() } };
    case 'ed25519-generated':
      if (!v.generated) return problem('generate', 'Generate the key pair first, then register its public key with Binance.');
      if (apiKey === '') return problem('apiKey', 'Paste the API key Binance gave after you registered the public key.');
      return { ok: true, value: { kind: 'ed25519-generated', apiKey } };
  }
}

/** Parses through the contract and turns the first zod issue into a form problem on the matching field. */
function viaContract(candidate: RequestOf<'vault.setup'>): FormCheck<RequestOf<'vault.setup'>> {
  const parsed = RequestSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    return problem(String(path[path.length - 1] ?? 'form'), issue?.message ?? 'The form does not fit the contract.');
  }
  const request = parsed.data;
  if (request.type !== 'vault.setup') throw new Error('vault.setup parsed as another request type');
  return { ok: true, value: request };
}

const isEnvironment = (x: string): x is Environment => x === 'local' || x === 'demo' || x === 'mainnet';

/** The full set-up form -> a `vault.setup` request, or the first problem to fix. */
export function buildSetupRequest(v: SetupValues): FormCheck<RequestOf<'vault.setup'>> {
  if (v.name.trim() === '') return problem('name', 'Name the profile (for example “Demo account”).');
  if (!isEnvironment(v.environment)) return problem('environment', 'Choose an environment.');
  const mainnet = checkMainnet(v.environment, v.confirmMainnet);
  if (mainnet !== null) return { ok: false, problem: mainnet };
  const credentials = credentialsOf(v);
  if (!credentials.ok) return credentials;
  const password = checkNewPassword(v.password, v.repeat);
  if (password !== null) return { ok: false, problem: password };
  return viaContract({
    type: 'vault.setup',
    name: v.name.trim(),
    environment: v.environment,
    confirmMainnet: v.environment === 'mainnet' && v.confirmMainnet,
    credentials: credentials.value,
    password: v.password,
  });
}

export interface PrefillValues {
  readonly name: string;
  readonly environment: Environment;
  readonly confirmMainnet: boolean;
  readonly password: string;
  readonly repeat: string;
}

/** The one-click paper account path: only a password (twice) is asked; the key stays in the background. */
export function buildPrefillRequest(v: PrefillValues): FormCheck<RequestOf<'vault.setup'>> {
  const mainnet = checkMainnet(v.environment, v.confirmMainnet);
  if (mainnet !== null) return { ok: false, problem: mainnet };
  const password = checkNewPassword(v.password, v.repeat);
  if (password !== null) return { ok: false, problem: password };
  return viaContract({
    type: 'vault.setup',
    name: v.name.trim() === '' ? 'Local paper account' : v.name.trim(),
    environment: v.environment,
    confirmMainnet: v.environment === 'mainnet' && v.confirmMainnet,
    credentials: { kind: 'prefill' },
    password: v.password,
  });
}

export interface ChangePasswordValues {
  readonly oldPassword: string;
  readonly newPassword: string;
  readonly repeat: string;
}

/** Change-password form -> request, or the first problem. */
export function buildChangePasswordRequest(v: ChangePasswordValues): FormCheck<RequestOf<'vault.changePassword'>> {
  if (v.oldPassword === '') return problem('oldPassword', 'Enter the current password.');
  const next = checkNewPassword(v.newPassword, v.repeat, 'newPassword', 'repeat');
  if (next !== null) return { ok: false, problem: next };
  if (v.newPassword === v.oldPassword) return problem('newPassword', 'The new password is the same as the current one.');
  return { ok: true, value: { type: 'vault.changePassword', oldPassword: v.oldPassword, newPassword: v.newPassword } };
}

/** Auto-lock minutes as typed -> a whole number within the contract's 1…1440, or the problem. */
export function parseAutoLockMinutes(text: string): FormCheck<number> {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isInteger(n) || n < 1 || n > 24 * 60) {
    return problem('minutes', 'Auto-lock takes a whole number of minutes from 1 to 1440 (24 hours).');
  }
  return { ok: true, value: n };
}
