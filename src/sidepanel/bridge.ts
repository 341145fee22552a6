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

export async function request<K extends RequestType>(req: RequestOf<K>): Promise<Result<ResponseOf<K>>> {
  let raw: unknown;
  try {
    raw = await chrome.runtime.sendMessage(req);
  } catch (e) {
    return err('INTERNAL', `The background did not answer: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = responseSchemaFor(req.type).safeParse(raw);
  if (!parsed.success) return err('INTERNAL', `The background answered ${req.type} with an unexpected shape.`);
  return parsed.data as Result<ResponseOf<K>>;
}

/** Subscribes to background events; reconnects when the worker restarts (its end of the port goes away). */
export function onEvents(listener: (event: AppEvent) => void, onReconnect: () => void): void {
  const connect = (): void => {
    const port = chrome.runtime.connect({ name: EVENTS_PORT });
    port.onMessage.addListener((message: unknown) => {
      const parsed = EventSchema.safeParse(message);
      if (parsed.success) listener(parsed.data);
    });
    port.onDisconnect.addListener(() => {
      setTimeout(() => {
        connect();
        onReconnect();
      }, 250);
    });
  };
  connect();
}
