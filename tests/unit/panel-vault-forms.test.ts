// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import {
  buildChangePasswordRequest,
  buildPrefillRequest,
  buildSetupRequest,
  checkMainnet,
  checkNewPassword,
  parseAutoLockMinutes,
  type SetupValues,
} from '../../src/sidepanel/vault-forms.ts';
import { RequestSchema } from '../../src/shared/messages.ts';

const base: SetupValues = {
  name: ' Demo ',
  environment: 'demo',
  confirmMainnet: false,
  kind: 'hmac',
  apiKey: ' key123 ',
  secret: 'sec456',
  privateKeyPem: '',
  generated: false,
  password: 'correct horse',
  repeat: 'correct horse',
};

const PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----';

describe('set-up form', () => {
  it('builds a contract-valid HMAC set-up request, trimmed', () => {
    const r = buildSetupRequest(base);
    expect(r).toEqual({
      ok: true,
      value: {
        type: 'vault.setup',
        name: 'Demo',
        environment: 'demo',
        confirmMainnet: false,
        credentials: { kind: 'hmac', apiKey: 'key123', secret: 'sec456' },
        password: 'correct horse',
      },
    });
    if (r.ok) expect(RequestSchema.safeParse(r.value).success).toBe(true);
  });

  it.each<[string, Partial<SetupValues>, string, RegExp]>([
    ['an empty name', { name: '  ' }, 'name', /Name the profile/],
    ['mainnet without the tick', { environment: 'mainnet' }, 'confirmMainnet', /real money/],
    ['a missing API key', { apiKey: '' }, 'apiKey', /API key/],
    ['a missing secret', { secret: ' ' }, 'secret', /secret/],
    ['a PEM that is not a private key', { kind: 'ed25519', privateKeyPem: 'ssh-ed25519 AAAA' }, 'privateKeyPem', /BEGIN PRIVATE KEY/],
    ['a generated kind before generating', { kind: 'ed25519-generated' }, 'generate', /Generate the key pair first/],
    ['a short password', { password: 'short', repeat: 'short' }, 'password', /at least 8/],
    ['repeated passwords that differ', { repeat: 'correct horsf' }, 'repeat', /differ/],
    ['an empty password', { password: '', repeat: '' }, 'password', /Choose a password/],
  ])('refuses %s, naming the field', (_, patch, field, message) => {
    const r = buildSetupRequest({ ...base, ...patch });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.field).toBe(field);
      expect(r.problem.message).toMatch(message);
    }
  });

  it('accepts mainnet only with the explicit confirmation, and carries it', () => {
    const r = buildSetupRequest({ ...base, environment: 'mainnet', confirmMainnet: true });
    expect(r.ok && r.value.confirmMainnet).toBe(true);
  });

  it('never sends a stale mainnet tick for another environment', () => {
    const r = buildSetupRequest({ ...base, environment: 'local', confirmMainnet: true });
    expect(r.ok && r.value.confirmMainnet).toBe(false);
  });

  it('sends Ed25519 keys by kind, and the generated pair with its API key only', () => {
    const pem = buildSetupRequest({ ...base, kind: 'ed25519', privateKeyPem: PEM });
    expect(pem.ok && pem.value.credentials).toEqual({ kind: 'ed25519', apiKey: 'key123', privateKeyPem: PEM });
    const gen = buildSetupRequest({ ...base, kind: 'ed25519-generated', generated: true });
    expect(gen.ok && gen.value.credentials).toEqual({ kind: 'ed25519-generated', apiKey: 'key123' });
  });

  it('reports the contract’s own limit when a field is too long', () => {
    const r = buildSetupRequest({ ...base, apiKey: 'k'.repeat(600) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.field).toBe('apiKey');
  });
});

describe('prefill, password and auto-lock checks', () => {
  it('seals the paper account with only a password', () => {
    const r = buildPrefillRequest({ name: '', environment: 'local', confirmMainnet: false, password: 'paperpass', repeat: 'paperpass' });
    expect(r.ok && r.value).toEqual({
      type: 'vault.setup',
      name: 'Local paper account',
      environment: 'local',
      confirmMainnet: false,
      credentials: { kind: 'prefill' },
      password: 'paperpass',
    });
    const bad = buildPrefillRequest({ name: '', environment: 'local', confirmMainnet: false, password: 'paperpass', repeat: 'paperpas' });
    expect(bad.ok).toBe(false);
  });

  it('names the fields of a bad new password', () => {
    expect(checkNewPassword('abcdefgh', 'abcdefgh')).toBeNull();
    expect(checkNewPassword('abcdefgh', 'abcdefgX', 'newPassword', 'again')?.field).toBe('again');
    expect(checkMainnet('mainnet', false)?.field).toBe('confirmMainnet');
    expect(checkMainnet('demo', false)).toBeNull();
  });

  it('changes a password only to a different, repeated one', () => {
    expect(buildChangePasswordRequest({ oldPassword: 'oldpassword', newPassword: 'newpassword', repeat: 'newpassword' })).toEqual({
      ok: true,
      value: { type: 'vault.changePassword', oldPassword: 'oldpassword', newPassword: 'newpassword' },
    });
    const same = buildChangePasswordRequest({ oldPassword: 'samepassword', newPassword: 'samepassword', repeat: 'samepassword' });
    expect(!same.ok && same.problem.field).toBe('newPassword');
    const noOld = buildChangePasswordRequest({ oldPassword: '', newPassword: 'newpassword', repeat: 'newpassword' });
    expect(!noOld.ok && noOld.problem.field).toBe('oldPassword');
  });

  it.each([
    ['15', 15],
    [' 1 ', 1],
    ['1440', 1440],
    ['0', null],
    ['1441', null],
    ['2.5', null],
    ['', null],
    ['ten', null],
  ])('auto-lock %j -> %j', (text, expected) => {
    const r = parseAutoLockMinutes(text);
    expect(r.ok ? r.value : null).toBe(expected);
  });
});
