/**
 * Pushes events to every open UI page over long-lived ports (`chrome.runtime.connect`), so an event reaches the
 * pages that listen and nothing else. A page that hands over a direct channel (channel.ts) names its port
 * `EVENTS_PORT:<page>`, and the answers to the requests it sends on that channel come back on this port, behind the
 * events published before them. Each event is parsed before it leaves: a malformed event is a bug here.
 */
import { EVENTS_PORT, EventSchema, type AppEvent } from '../shared/messages.ts';

/** Connected ports, each with the page it names (`''` for a plain events port). */
const ports = new Map<chrome.runtime.Port, string>();

/** The page named by an events port, `''` for a plain one, or null for a port that is not an events port. */
export function pageOfPort(name: string): string | null {
  if (name === EVENTS_PORT) return '';
  const page = name.startsWith(`${EVENTS_PORT}:`) ? name.slice(EVENTS_PORT.length + 1) : '';
  return /^[0-9a-f-]{8,64}$/.test(page) ? page : null;
}

/** Registers a UI page's port; call from `chrome.runtime.onConnect`. Ports from other senders are refused. */
export function acceptPort(port: chrome.runtime.Port, trusted: boolean): boolean {
  const page = pageOfPort(port.name);
  if (page === null || !trusted) {
    port.disconnect();
    return false;
  }
  ports.set(port, page);
  port.onDisconnect.addListener(() => ports.delete(port));
  return true;
}

/** The connected events port of `page`, if any. */
export function portOfPage(page: string): chrome.runtime.Port | undefined {
  for (const [port, named] of ports) if (named === page) return port;
  return undefined;
}

/** Sends one event to every connected page. */
export function publish(event: AppEvent): void {
  const checked = EventSchema.parse(event);
  for (const port of ports.keys()) {
    try {
      port.postMessage(checked);
    } catch {
      // The page went away between its disconnect and our send; onDisconnect removes it.
      ports.delete(port);
    }
  }
}
