/** Small pieces shared by the panel's forms: labelled rows and problem display next to the field. */
import { h } from '../dom.ts';
import type { FormProblem } from '../vault-forms.ts';

/** `<div class="field"><label for>text</label>control</div>`. */
export function labelled(text: string, control: HTMLElement, hint?: string): HTMLDivElement {
  const row = h('div', { class: 'field' }, h('label', { for: control.id }, text), control);
  if (hint !== undefined) {
    const hintId = `${control.id}-hint`;
    row.append(h('small', { id: hintId, class: 'hint' }, hint));
    control.setAttribute('aria-describedby', hintId);
  }
  return row;
}

/** Shows `problem` in `errorEl`, marks its field invalid and moves focus there so a keyboard user lands on it. */
export function showProblem(form: HTMLElement, errorEl: HTMLElement, problem: FormProblem, fieldIds: Record<string, string>): void {
  clearProblem(form, errorEl);
  errorEl.textContent = problem.message;
  const id = fieldIds[problem.field];
  const target = id === undefined ? null : form.querySelector<HTMLElement>(`#${id}`);
  if (target !== null) {
    target.setAttribute('aria-invalid', 'true');
    target.setAttribute('aria-errormessage', errorEl.id);
    target.focus();
  }
}

/** Clears the message and every aria-invalid mark in `form`. */
export function clearProblem(form: HTMLElement, errorEl: HTMLElement): void {
  errorEl.textContent = '';
  for (const node of form.querySelectorAll('[aria-invalid]')) {
    node.removeAttribute('aria-invalid');
    node.removeAttribute('aria-errormessage');
  }
}
