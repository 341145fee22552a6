/**
 * Pushes events to every open UI page over long-lived ports (`chrome.runtime.connect`), so an event reaches the
 * pages that listen and nothing else. Each event is parsed before it leaves: a malformed event is a bug here.
 */
import { EVENTS_PORT, EventSchema, type AppEvent } from '../shared/messages.ts';

const ports = new Set<chrome.runtime.Port>();

/** Registers a UI page's port; call from `chrome.runtime.onConnect`. Ports from other senders are refused. */
export function acceptPort(port: chrome.runtime.Port, trusted: boolean): boolean {
  if (port.name !== EVENTS_PORT || !trusted) {
    port.disconnect();
    return false;
  }
  ports.add(port);
  port.onDisconnect.addListener(() => ports.delete(port));
  return true;
}

/** Sends one event to every connected page. */
export function publish(event: AppEvent): void {
  const checked = EventSchema.parse(event);
  for (const port of ports) {
    try {
      port.postMessage(checked);
    } catch {
      // The page went away between its disconnect and our send; onDisconnect removes it.
      ports.delete(port);
    }
  }
}
