/**
 * What every view gets from the shell: the typed request function (bridge.ts in the page, a fake in tests), the
 * status line, and the page's key-value store. Views never touch chrome.* themselves.
 */
import type { RequestOf, RequestType, ResponseOf } from '../shared/messages.ts';
import type { AppError, Result } from '../shared/result.ts';
import type { KeyValueStore } from './preferences.ts';

export type Requester = <K extends RequestType>(req: RequestOf<K>) => Promise<Result<ResponseOf<K>>>;

export interface StatusSink {
  show(text: string, isError?: boolean): void;
  error(error: AppError): void;
}

export interface PanelContext {
  readonly request: Requester;
  readonly status: StatusSink;
  readonly store: KeyValueStore;
  /** Wall clock, injectable so countdowns can be tested. */
  readonly now: () => number;
}

/** The status line (`#status`, a polite live region): one sentence about the last thing that happened. */
export function statusSink(line: HTMLElement): StatusSink {
  const show = (text: string, isError = false): void => {
    line.textContent = text;
    line.classList.toggle('error', isError);
  };
  return { show, error: (e) => show(errorText(e), true) };
}

/** The error's message, with the background's suggestion in words when it offers one. */
export function errorText(e: AppError): string {
  if (e.suggestion === undefined || Object.keys(e.suggestion).length === 0) return e.message;
  const hint = Object.entries(e.suggestion)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `${e.message} Suggested: ${hint}.`;
}
