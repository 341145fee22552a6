/**
 * The panel's only way to the background: typed requests whose answers are parsed against the contract, and a
 * port for events. A reply that does not match the contract is reported as an error, never trusted.
 */
import {
  EVENTS_PORT,
  EventSchema,
  responseSchemaFor,
  type AppEvent,
  type RequestOf,
  type RequestType,
  type ResponseOf,
} from '../shared/messages.ts';
import { err, type Result } from '../shared/result.ts';

const STOPPED = 'The background stopped before it answered: check the positions and the journal for what was done.';

export async function request<K extends RequestType>(req: RequestOf<K>): Promise<Result<ResponseOf<K>>> {
  let raw: unknown;
  try {
    raw = await chrome.runtime.sendMessage(req);
  } catch (e) {
    // Chrome rejects when the worker stopped after taking the request ("A listener indicated an asynchronous
    // response by returning true, but the message channel closed before a response was received", four times in
    // two full soaks that sent through this bridge): it may have acted on it, so the outcome is unknown, not an
    // internal error.
    return err('UNKNOWN_STATUS', `${STOPPED} (${e instanceof Error ? e.message : String(e)})`);
  }
  // The router always answers a Result: undefined is Chrome's answer when the worker stopped before it answered
  // (seen in the soak within milliseconds of a worker stop).
  if (raw === undefined) return err('UNKNOWN_STATUS', STOPPED);
  const parsed = responseSchemaFor(req.type).safeParse(raw);
  if (!parsed.success) return err('INTERNAL', `The background answered ${req.type} with an unexpected shape.`);
  return parsed.data as Result<ResponseOf<K>>;
}

/** A port that lived this long was not dropped by a worker failing to start. */
const STEADY_PORT_MS = 1_000;
const RECONNECT_BACKOFF_MS = 250;

/**
 * Subscribes to background events; reconnects when the worker restarts (its end of the port goes away). The
 * reconnect is what starts the next worker while the panel is open, and that worker resumes the session and re-reads
 * the account, so it goes at once; only a port that dropped soon after opening waits, so that a worker failing at
 * start is not restarted in a loop. (In the soak, the fixed 250 ms wait was a quarter of the 1 s a position may go
 * without a stop after a worker stop.)
 */
export function onEvents(listener: (event: AppEvent) => void, onReconnect: () => void): void {
  const connect = (): void => {
    const openedAtMs = performance.now();
    const port = chrome.runtime.connect({ name: EVENTS_PORT });
    port.onMessage.addListener((message: unknown) => {
      const parsed = EventSchema.safeParse(message);
      if (parsed.success) listener(parsed.data);
    });
    port.onDisconnect.addListener(() => {
      const delayMs = performance.now() - openedAtMs >= STEADY_PORT_MS ? 0 : RECONNECT_BACKOFF_MS;
      setTimeout(() => {
        connect();
        onReconnect();
      }, delayMs);
    });
  };
  connect();
}
