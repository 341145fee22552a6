/**
 * The worker's end of the direct channel (messages.ts, `CHANNEL_HELLO`): a UI page posts one end of a
 * `MessageChannel` to this service worker, and its requests then reach the router without crossing the browser
 * process. Answers go back on the page's events port (messages.ts, `ChannelAnswerSchema`, says why). Only pages of
 * this extension can hold this worker's registration (same origin), and the hello is checked like a
 * `chrome.runtime` sender all the same; once accepted, every request on the port goes through the same parse and
 * handlers as one from `chrome.runtime.onMessage`.
 *
 * A message on the channel is not an extension event, so unlike a `sendMessage` it does not itself push back
 * Chrome's 30 s idle stop; the handlers do, with the extension API calls they make ("receiving an event or calling
 * an extension API resets this timer",
 * https://developer.chrome.com/docs/extensions/develop/concepts/service-workers/lifecycle), and while an account is
 * unlocked the worker's WebSocket traffic keeps it running anyway. An order's journal entry is a confirmed storage
 * write before its frame, so an order cannot leave a worker Chrome has begun to stop.
 *
 * A port has no close event in Chromium 156, so the page learns that this end is gone from its events port
 * (`chrome.runtime.connect`), which the browser disconnects when the worker stops; bridge.ts says what it does then.
 */
import { ChannelHelloSchema, ChannelRequestSchema } from '../shared/messages.ts';
import { isTrustedSender, type RouterOptions } from './router.ts';
import { err, type Result } from '../shared/result.ts';

/** The parts of a service worker's `message` event read here. */
export interface HelloEvent {
  readonly data: unknown;
  readonly origin: string;
  /** The posting page (a `Client`, which has a URL), or a worker or port (which have none). */
  readonly source: object | null;
  readonly ports: readonly MessagePort[];
}

export interface ChannelDeps {
  readonly options: RouterOptions;
  /** The router's dispatch: parse, then the handler. */
  readonly dispatch: (raw: unknown, receivedAt: number) => Promise<Result<unknown>>;
  /** Monotonic ms, taken as a request arrives (the order latency breakdown). */
  readonly now: () => number;
  /** The events port of `page` (events.ts), on which answers go back while it is connected. */
  readonly eventsPortOf: (page: string) => { postMessage(message: unknown): void } | undefined;
  /** A request on the port arrived (the worker's first-event mark). */
  readonly onRequest: () => void;
  /** A message on an accepted port that is not a request: a bug in the page, reported rather than dropped unseen. */
  readonly onMalformed: (data: unknown) => void;
}

/**
 * Accepts a page's channel if `event` is a hello from one of this extension's pages carrying exactly one port;
 * answers `ready` on it. Returns whether it was accepted. Anything else is left alone: other `message` events are
 * not ours to judge, and a refused port is closed, so the page keeps using `chrome.runtime.sendMessage`.
 */
export function acceptChannel(event: HelloEvent, deps: ChannelDeps): boolean {
  const hello = ChannelHelloSchema.safeParse(event.data);
  if (!hello.success) return false;
  const port = event.ports.length === 1 ? event.ports[0] : undefined;
  if (port === undefined) return false;
  const url = event.source !== null && 'url' in event.source && typeof event.source.url === 'string' ? event.source.url : undefined;
  const sender = { id: deps.options.extensionId, url, origin: event.origin };
  if (!isTrustedSender(sender, deps.options)) {
    port.close();
    return false;
  }
  port.onmessage = (message: MessageEvent<unknown>) => {
    const receivedAt = deps.now();
    deps.onRequest();
    const parsed = ChannelRequestSchema.safeParse(message.data);
    if (!parsed.success) {
      deps.onMalformed(message.data);
      return;
    }
    const { id, request } = parsed.data;
    void deps.dispatch(request, receivedAt).then((response) => {
      const answer = { id, response };
      const events = deps.eventsPortOf(hello.data.page);
      if (events !== undefined) {
        try {
          events.postMessage(answer);
          return;
        } catch {
          // The events port went away since the lookup: the channel itself still answers.
        }
      }
      try {
        port.postMessage(answer);
      } catch (e) {
        // An answer the port cannot clone is a bug in a handler; the page still gets an answer, not a wait forever.
        port.postMessage({ id, response: err('INTERNAL', `The background could not send its answer: ${e instanceof Error ? e.message : String(e)}`) });
      }
    });
  };
  port.postMessage({ type: 'ready' });
  return true;
}
