/**
 * The exchange account card: set-up (no profile yet), unlock (profiles, locked), or the compact vault bar
 * (unlocked). Secrets go inward once, in the set-up request; the password fields are emptied after every attempt.
 * The card is rebuilt only when its mode changes, so a status event never wipes what the trader is typing.
 */
import type { Environment, VaultStatus } from '../../shared/messages.ts';
import { h, replaceChildren } from '../dom.ts';
import { ENVIRONMENT_BADGE, ENVIRONMENT_LABEL, formatCountdown, formatHourMinute } from '../format.ts';
import { buildPrefillRequest, buildSetupRequest, type KeyKind } from '../vault-forms.ts';
import type { PanelContext } from '../context.ts';
import { labelled, showProblem, clearProblem } from './form-bits.ts';
import { activeProfile, vaultMode, type Profile } from '../vault-model.ts';

export { activeProfile, vaultMode };

export interface VaultView {
  render(vault: VaultStatus): void;
  /** `vault.progress` events: the key derivation started or ended. */
  progress(phase: 'deriving' | 'done'): void;
}

export interface VaultHooks {
  /** Every VaultStatus a vault request answered with. */
  onVault(vault: VaultStatus): void;
  /** The vault bar's Settings button. */
  openSettings(): void;
}

const setupFieldIds: Record<string, string> = {
  name: 'setup-name',
  environment: 'setup-env',
  confirmMainnet: 'setup-mainnet-confirm',
  apiKey: 'setup-api-key',
  secret: 'setup-secret',
  privateKeyPem: 'setup-pem',
  generate: 'setup-generate',
  password: 'setup-password',
  repeat: 'setup-password2',
};

function setupForm(ctx: PanelContext, hooks: VaultHooks, progressLine: (text: string) => void): HTMLFormElement {
  const name = h('input', { id: 'setup-name', type: 'text', autocomplete: 'off', maxlength: '64', placeholder: 'Demo account' });
  const env = h('select', { id: 'setup-env' });
  for (const e of ['local', 'demo', 'mainnet'] as const) env.append(h('option', { value: e }, ENVIRONMENT_LABEL[e]));
  const mainnetConfirm = h('input', { id: 'setup-mainnet-confirm', type: 'checkbox' });
  const mainnetRow = h(
    'div',
    { id: 'setup-mainnet-row', class: 'field check danger', hidden: true },
    mainnetConfirm,
    h('label', { for: 'setup-mainnet-confirm' }, 'I understand this trades real money'),
  );

  const kinds: Array<[KeyKind, string, string]> = [
    ['hmac', 'setup-kind-hmac', 'HMAC (API key + secret)'],
    ['ed25519', 'setup-kind-ed25519', 'Ed25519 (API key + private key)'],
    ['ed25519-generated', 'setup-kind-generated', 'Generate an Ed25519 key pair here'],
  ];
  const kindFieldset = h('fieldset', { class: 'kinds' }, h('legend', {}, 'Key type'));
  for (const [value, id, text] of kinds) {
    kindFieldset.append(
      h('div', { class: 'check' }, h('input', { id, type: 'radio', name: 'setup-kind', value, checked: value === 'hmac' }), h('label', { for: id }, text)),
    );
  }

  const generateButton = h('button', { id: 'setup-generate', type: 'button' }, 'Generate key pair');
  const publicPem = h('textarea', { id: 'setup-public-pem', readonly: true, rows: '4', spellcheck: 'false' });
  const copyButton = h('button', { id: 'setup-copy-pem', type: 'button' }, 'Copy public key');
  const publicBlock = h(
    'div',
    { id: 'setup-public-block', hidden: true },
    labelled('Public key (register it with Binance)', publicPem),
    copyButton,
    h(
      'p',
      { class: 'hint' },
      'On Binance: API Management › Create API › Self-generated (Ed25519), paste this public key, enable Futures, then paste the API key Binance shows below. The private key never leaves this browser.',
    ),
  );
  const generatedBlock = h('div', { id: 'setup-generated-block', hidden: true }, generateButton, publicBlock);

  const apiKey = h('input', { id: 'setup-api-key', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '512' });
  const secret = h('input', { id: 'setup-secret', type: 'password', autocomplete: 'off', maxlength: '512' });
  const secretRow = labelled('Secret key', secret);
  const pem = h('textarea', {
    id: 'setup-pem',
    rows: '4',
    spellcheck: 'false',
    autocomplete: 'off',
    placeholder: '-----BEGIN PRIVATE KEY-----',
  });
  const pemRow = labelled('Ed25519 private key (PEM)', pem);
  pemRow.hidden = true;
  const password = h('input', { id: 'setup-password', type: 'password', autocomplete: 'new-password' });
  const repeat = h('input', { id: 'setup-password2', type: 'password', autocomplete: 'new-password' });
  const error = h('p', { id: 'setup-error', class: 'form-error', role: 'alert' });
  const submit = h('button', { id: 'setup-submit', type: 'submit', class: 'primary' }, 'Create profile');

  const form = h(
    'form',
    { id: 'setup-form', class: 'stack', novalidate: true, 'aria-label': 'Set up an exchange account', 'aria-describedby': 'setup-error' },
    labelled('Profile name', name),
    labelled('Environment', env),
    mainnetRow,
    kindFieldset,
    generatedBlock,
    labelled('API key', apiKey),
    secretRow,
    pemRow,
    labelled('Password (seals the key in this browser)', password),
    labelled('Repeat the password', repeat),
    error,
    submit,
  );

  let generated = false;
  const kind = (): KeyKind => {
    const checked = form.querySelector<HTMLInputElement>('input[name="setup-kind"]:checked');
    return (checked?.value ?? 'hmac') as KeyKind;
  };
  const syncVisibility = (): void => {
    const mainnet = env.value === 'mainnet';
    mainnetRow.hidden = !mainnet;
    if (!mainnet) mainnetConfirm.checked = false;
    const k = kind();
    secretRow.hidden = k !== 'hmac';
    pemRow.hidden = k !== 'ed25519';
    generatedBlock.hidden = k !== 'ed25519-generated';
  };
  env.addEventListener('change', syncVisibility);
  kindFieldset.addEventListener('change', syncVisibility);

  generateButton.addEventListener('click', () => {
    generateButton.disabled = true;
    void ctx.request({ type: 'vault.generateEd25519' }).then((r) => {
      generateButton.disabled = false;
      if (!r.ok) return showProblem(form, error, { field: 'generate', message: r.error.message }, setupFieldIds);
      generated = true;
      publicPem.value = r.value.publicKeyPem;
      publicBlock.hidden = false;
      generateButton.textContent = 'Generate a new key pair';
      clearProblem(form, error);
      apiKey.focus();
    });
  });
  copyButton.addEventListener('click', () => {
    void navigator.clipboard
      .writeText(publicPem.value)
      .then(() => ctx.status.show('Public key copied.'))
      .catch(() => {
        publicPem.select();
        ctx.status.show('Copy was refused: the key is selected, press Ctrl+C.');
      });
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const check = buildSetupRequest({
      name: name.value,
      environment: env.value,
      confirmMainnet: mainnetConfirm.checked,
      kind: kind(),
      apiKey: apiKey.value,
      secret: secret.value,
      privateKeyPem: pem.value,
      generated,
      password: password.value,
      repeat: repeat.value,
    });
    if (!check.ok) return showProblem(form, error, check.problem, setupFieldIds);
    clearProblem(form, error);
    submit.disabled = true;
    submit.textContent = 'Sealing…';
    progressLine('Deriving key…');
    void ctx.request(check.value).then((r) => {
      submit.disabled = false;
      submit.textContent = 'Create profile';
      progressLine('');
      password.value = '';
      repeat.value = '';
      if (!r.ok) return showProblem(form, error, { field: 'form', message: r.error.message }, setupFieldIds);
      secret.value = '';
      pem.value = '';
      ctx.status.show(`Profile “${check.value.name}” saved.`);
      hooks.onVault(r.value);
    });
  });
  return form;
}

function prefillForm(ctx: PanelContext, hooks: VaultHooks, prefill: NonNullable<VaultStatus['prefill']>, progressLine: (t: string) => void): HTMLFormElement {
  const ids: Record<string, string> = { password: 'prefill-password', repeat: 'prefill-password2', confirmMainnet: 'prefill-mainnet-confirm' };
  const password = h('input', { id: 'prefill-password', type: 'password', autocomplete: 'new-password' });
  const repeat = h('input', { id: 'prefill-password2', type: 'password', autocomplete: 'new-password' });
  const confirm = h('input', { id: 'prefill-mainnet-confirm', type: 'checkbox' });
  const error = h('p', { id: 'prefill-error', class: 'form-error', role: 'alert' });
  const label = `Use the local paper account (key ${prefill.apiKeyMasked})`;
  const submit = h('button', { id: 'prefill-submit', type: 'submit', class: 'primary' }, label);
  const form = h(
    'form',
    { id: 'prefill-form', class: 'stack', novalidate: true, 'aria-label': 'Use the local paper account' },
    h('p', {}, `npm start left a paper account for ${ENVIRONMENT_LABEL[prefill.environment]}. Choose a password to seal it in this browser.`),
    prefill.environment === 'mainnet'
      ? h('div', { class: 'field check danger' }, confirm, h('label', { for: 'prefill-mainnet-confirm' }, 'I understand this trades real money'))
      : null,
    labelled('Password', password),
    labelled('Repeat the password', repeat),
    error,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const check = buildPrefillRequest({
      name: 'Local paper account',
      environment: prefill.environment,
      confirmMainnet: confirm.checked,
      password: password.value,
      repeat: repeat.value,
    });
    if (!check.ok) return showProblem(form, error, check.problem, ids);
    clearProblem(form, error);
    submit.disabled = true;
    progressLine('Deriving key…');
    void ctx.request(check.value).then((r) => {
      submit.disabled = false;
      progressLine('');
      password.value = '';
      repeat.value = '';
      if (!r.ok) return showProblem(form, error, { field: 'form', message: r.error.message }, ids);
      ctx.status.show('Paper account saved.');
      hooks.onVault(r.value);
    });
  });
  return form;
}

function profileLabel(p: Profile): string {
  return `${p.name} · ${ENVIRONMENT_BADGE[p.environment]} · ${p.apiKeyMasked}`;
}

export function createVaultView(ctx: PanelContext, root: HTMLElement, hooks: VaultHooks): VaultView {
  let modeKey = '';
  let retryUntil = 0;
  let countdown: ReturnType<typeof setInterval> | undefined;
  let unlocking = false;
  let progressEl: HTMLElement | null = null;
  let unlockButton: HTMLButtonElement | null = null;
  let autoLockEl: HTMLElement | null = null;

  const progressLine = (text: string): void => {
    if (progressEl !== null) progressEl.textContent = text;
  };

  const stopCountdown = (): void => {
    if (countdown !== undefined) clearInterval(countdown);
    countdown = undefined;
  };

  /** Disables Unlock while the background asks to wait after wrong passwords, with the time left on the button. */
  const tickRetry = (): void => {
    if (unlockButton === null) return stopCountdown();
    const left = retryUntil - ctx.now();
    if (left <= 0) {
      stopCountdown();
      unlockButton.disabled = unlocking;
      unlockButton.textContent = 'Unlock';
      return;
    }
    unlockButton.disabled = true;
    unlockButton.textContent = `Unlock (retry in ${formatCountdown(left)})`;
  };
  const applyRetry = (retryAfterMs: number): void => {
    retryUntil = retryAfterMs > 0 ? ctx.now() + retryAfterMs : 0;
    stopCountdown();
    tickRetry();
    if (retryAfterMs > 0) countdown = setInterval(tickRetry, 500);
  };

  function unlockForm(vault: VaultStatus): HTMLElement {
    const select = h('select', { id: 'unlock-profile' });
    for (const p of vault.profiles) select.append(h('option', { value: p.id }, profileLabel(p)));
    if (vault.activeProfileId !== undefined) select.value = vault.activeProfileId;
    const password = h('input', { id: 'unlock-password', type: 'password', autocomplete: 'current-password' });
    const button = h('button', { id: 'unlock-submit', type: 'submit', class: 'primary' }, 'Unlock');
    const progress = h('p', { id: 'unlock-progress', class: 'progress', role: 'status', 'aria-live': 'polite' });
    const error = h('p', { id: 'unlock-error', class: 'form-error', role: 'alert' });
    const form = h(
      'form',
      { id: 'unlock-form', class: 'stack', novalidate: true, 'aria-label': 'Unlock' },
      labelled('Profile', select),
      labelled('Password', password),
      button,
      progress,
      error,
    );
    progressEl = progress;
    unlockButton = button;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (unlocking || ctx.now() < retryUntil) return;
      if (password.value === '') return showProblem(form, error, { field: 'password', message: 'Enter the profile’s password.' }, { password: 'unlock-password' });
      clearProblem(form, error);
      unlocking = true;
      button.disabled = true;
      progress.textContent = 'Deriving key…';
      const secret = password.value;
      password.value = '';
      void ctx.request({ type: 'vault.unlock', profileId: select.value, password: secret }).then(async (r) => {
        unlocking = false;
        progress.textContent = '';
        if (r.ok) return hooks.onVault(r.value);
        showProblem(form, error, { field: 'password', message: r.error.message }, { password: 'unlock-password' });
        // The answer to a refused unlock is an error; the wait it imposes is in the vault status.
        const s = await ctx.request({ type: 'vault.status' });
        applyRetry(s.ok ? s.value.retryAfterMs : 0);
      });
    });
    const addProfile = h('details', { class: 'add-profile' }, h('summary', {}, 'Add another profile'));
    addProfile.addEventListener('toggle', () => {
      if (addProfile.open && addProfile.querySelector('form') === null) addProfile.append(setupForm(ctx, hooks, progressLine));
    });
    return h('div', { class: 'card' }, h('h2', {}, 'Unlock'), form, addProfile);
  }

  function setupCard(vault: VaultStatus): HTMLElement {
    const progress = h('p', { id: 'setup-progress', class: 'progress', role: 'status', 'aria-live': 'polite' });
    progressEl = progress;
    const card = h('div', { class: 'card' }, h('h2', {}, 'Set up an exchange account'));
    if (vault.prefill !== undefined) {
      card.append(prefillForm(ctx, hooks, vault.prefill, progressLine));
      const other = h('details', {}, h('summary', {}, 'Set up another account instead'), setupForm(ctx, hooks, progressLine));
      card.append(other);
    } else {
      card.append(setupForm(ctx, hooks, progressLine));
    }
    card.append(progress);
    return card;
  }

  function vaultBar(vault: VaultStatus): HTMLElement {
    const p = activeProfile(vault);
    const env: Environment | undefined = p?.environment;
    const lock = h('button', { id: 'lock', type: 'button' }, 'Lock');
    const settings = h('button', { id: 'vault-settings', type: 'button' }, 'Settings');
    autoLockEl = h('span', { id: 'vault-autolock', class: 'muted' });
    const bar = h(
      'div',
      { id: 'vault-bar', class: 'vault-bar', role: 'group', 'aria-label': 'Exchange account' },
      h('span', { id: 'vault-profile', class: 'profile' }, p?.name ?? 'Unlocked'),
      env === undefined ? null : h('span', { id: 'vault-env', class: `badge env-${env}` }, ENVIRONMENT_BADGE[env]),
      autoLockEl,
      settings,
      lock,
    );
    lock.addEventListener('click', () => {
      lock.disabled = true;
      void ctx.request({ type: 'vault.lock' }).then((r) => {
        lock.disabled = false;
        if (!r.ok) return ctx.status.error(r.error);
        ctx.status.show('Locked.');
        hooks.onVault(r.value);
      });
    });
    settings.addEventListener('click', () => hooks.openSettings());
    return bar;
  }

  const updateAutoLock = (vault: VaultStatus): void => {
    if (autoLockEl === null) return;
    autoLockEl.textContent =
      vault.autoLockAtMs !== undefined ? `auto-locks at ${formatHourMinute(vault.autoLockAtMs)}` : `auto-lock after ${vault.autoLockMinutes} min`;
  };

  return {
    render(vault) {
      const mode = vaultMode(vault);
      const key = `${mode}|${vault.profiles.map((p) => `${p.id}:${p.name}`).join(',')}|${vault.activeProfileId ?? ''}|${vault.prefill?.apiKeyMasked ?? ''}`;
      if (key !== modeKey) {
        modeKey = key;
        stopCountdown();
        progressEl = null;
        unlockButton = null;
        autoLockEl = null;
        const card = mode === 'setup' ? setupCard(vault) : mode === 'locked' ? unlockForm(vault) : vaultBar(vault);
        replaceChildren(root, card);
      }
      if (mode === 'locked' && !unlocking) applyRetry(vault.retryAfterMs);
      if (mode === 'unlocked') updateAutoLock(vault);
    },
    progress(phase) {
      progressLine(phase === 'deriving' ? 'Deriving key…' : unlocking ? 'Key derived, opening the vault…' : '');
    },
  };
}


