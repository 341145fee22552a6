/**
 * Settings of the unlocked profile: change the password, the auto-lock delay, or delete the profile (which asks
 * the password again). Rebuilt only when the active profile changes, so typing survives status events.
 */
import type { VaultStatus } from '../../shared/messages.ts';
import { h, replaceChildren } from '../dom.ts';
import { buildChangePasswordRequest, parseAutoLockMinutes } from '../vault-forms.ts';
import type { PanelContext } from '../context.ts';
import { activeProfile } from './vault.ts';
import { clearProblem, labelled, showProblem } from './form-bits.ts';

export interface VaultSettingsView {
  render(vault: VaultStatus): void;
}

function changePasswordForm(ctx: PanelContext, onVault: (v: VaultStatus) => void): HTMLFormElement {
  const ids = { oldPassword: 'old-password', newPassword: 'new-password', repeat: 'new-password2' };
  const oldPassword = h('input', { id: ids.oldPassword, type: 'password', autocomplete: 'current-password' });
  const newPassword = h('input', { id: ids.newPassword, type: 'password', autocomplete: 'new-password' });
  const repeat = h('input', { id: ids.repeat, type: 'password', autocomplete: 'new-password' });
  const error = h('p', { id: 'change-password-error', class: 'form-error', role: 'alert' });
  const submit = h('button', { id: 'change-password-submit', type: 'submit' }, 'Change password');
  const form = h(
    'form',
    { id: 'change-password-form', class: 'stack', novalidate: true, 'aria-label': 'Change password' },
    h('h3', {}, 'Change password'),
    labelled('Current password', oldPassword),
    labelled('New password', newPassword),
    labelled('Repeat the new password', repeat),
    error,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const check = buildChangePasswordRequest({ oldPassword: oldPassword.value, newPassword: newPassword.value, repeat: repeat.value });
    if (!check.ok) return showProblem(form, error, check.problem, ids);
    clearProblem(form, error);
    submit.disabled = true;
    submit.textContent = 'Re-sealing…';
    void ctx.request(check.value).then((r) => {
      submit.disabled = false;
      submit.textContent = 'Change password';
      for (const input of [oldPassword, newPassword, repeat]) input.value = '';
      if (!r.ok) return showProblem(form, error, { field: 'oldPassword', message: r.error.message }, ids);
      ctx.status.show('Password changed.');
      onVault(r.value);
    });
  });
  return form;
}

function autoLockForm(ctx: PanelContext, vault: VaultStatus, onVault: (v: VaultStatus) => void): HTMLFormElement {
  const minutes = h('input', { id: 'autolock-minutes', type: 'number', min: '1', max: '1440', step: '1', inputmode: 'numeric' });
  minutes.value = String(vault.autoLockMinutes);
  const error = h('p', { id: 'autolock-error', class: 'form-error', role: 'alert' });
  const submit = h('button', { id: 'autolock-submit', type: 'submit' }, 'Save');
  const form = h(
    'form',
    { id: 'autolock-form', class: 'stack', novalidate: true, 'aria-label': 'Auto-lock' },
    h('h3', {}, 'Auto-lock'),
    labelled('Lock after this many minutes without activity', minutes),
    error,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const check = parseAutoLockMinutes(minutes.value);
    if (!check.ok) return showProblem(form, error, check.problem, { minutes: 'autolock-minutes' });
    clearProblem(form, error);
    void ctx.request({ type: 'vault.setAutoLock', minutes: check.value }).then((r) => {
      if (!r.ok) return showProblem(form, error, { field: 'minutes', message: r.error.message }, { minutes: 'autolock-minutes' });
      ctx.status.show(`Auto-lock set to ${check.value} min.`);
      onVault(r.value);
    });
  });
  return form;
}

function deleteForm(ctx: PanelContext, profileId: string, profileName: string, onVault: (v: VaultStatus) => void): HTMLFormElement {
  const password = h('input', { id: 'delete-password', type: 'password', autocomplete: 'current-password' });
  const error = h('p', { id: 'delete-error', class: 'form-error', role: 'alert' });
  const submit = h('button', { id: 'delete-submit', type: 'submit', class: 'danger' }, 'Delete profile');
  const form = h(
    'form',
    { id: 'delete-form', class: 'stack', novalidate: true, 'aria-label': 'Delete profile' },
    h('h3', {}, 'Delete profile'),
    h(
      'p',
      { class: 'hint' },
      `Removes the sealed key of “${profileName}” from this browser. The API key stays valid at Binance: revoke it there if you no longer use it.`,
    ),
    labelled('Password of this profile', password),
    error,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (password.value === '') return showProblem(form, error, { field: 'password', message: 'Enter the password to confirm.' }, { password: 'delete-password' });
    clearProblem(form, error);
    const secret = password.value;
    password.value = '';
    submit.disabled = true;
    void ctx.request({ type: 'vault.deleteProfile', profileId, password: secret }).then((r) => {
      submit.disabled = false;
      if (!r.ok) return showProblem(form, error, { field: 'password', message: r.error.message }, { password: 'delete-password' });
      ctx.status.show(`Profile “${profileName}” deleted.`);
      onVault(r.value);
    });
  });
  return form;
}

export function createVaultSettings(ctx: PanelContext, root: HTMLElement, onVault: (v: VaultStatus) => void): VaultSettingsView {
  let key = '';
  return {
    render(vault) {
      const profile = activeProfile(vault);
      const next = profile === undefined ? 'locked' : `${profile.id}:${profile.name}`;
      if (next === key) {
        const minutes = root.querySelector<HTMLInputElement>('#autolock-minutes');
        if (minutes !== null && document.activeElement !== minutes) minutes.value = String(vault.autoLockMinutes);
        return;
      }
      key = next;
      if (profile === undefined) {
        replaceChildren(root, h('p', { class: 'muted' }, 'Unlock a profile to change its password or auto-lock, or to delete it.'));
        return;
      }
      replaceChildren(
        root,
        h('details', { id: 'vault-settings-details', open: true }, h('summary', {}, `Vault settings: ${profile.name}`),
          changePasswordForm(ctx, onVault),
          autoLockForm(ctx, vault, onVault),
          deleteForm(ctx, profile.id, profile.name, onVault),
        ),
      );
    },
  };
}
