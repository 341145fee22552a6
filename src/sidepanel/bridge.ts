/**
 * The panel's only way to the background: typed requests whose answers are parsed against the contract, and a
 * port for events. A reply that does not match the contract is reported as an error, never trusted. Requests go
 * over the direct channel to the worker while it is up (messages.ts, `CHANNEL_HELLO`), else through
 * `chrome.runtime.sendMessage`; both reach the same router and answer the same way.
 */
import {
  CHANNEL_HELLO,
  ChannelAnswerSchema,
  ChannelReplySchema,
  EVENTS_PORT,
  EventSchema,
  READ_ONLY_REQUESTS,
  responseSchemaFor,
  type AppEvent,
  type RequestOf,
  type RequestType,
  type ResponseOf,
} from '../shared/messages.ts';
import { err, type Result } from '../shared/result.ts';

/** The part of `navigator.serviceWorker` the channel uses. */
export interface WorkerContainer {
  readonly ready: Promise<{ readonly active: { postMessage(message: unknown, transfer: Transferable[]): void } | null }>;
}

/**
 * The page's end of the direct channel. It is opened with each events port and closed when that port drops: the
 * browser disconnects the events port when the worker stops, and a `MessagePort` says nothing when its far end goes
 * away (no close event in Chromium 156), so a request still waiting then is answered `undefined`, exactly as
 * `chrome.runtime.sendMessage` answers when the worker stops before answering.
 *
 * Requests keep their order across the two paths: the channel is taken only when no request that changes
 * something (all but `READ_ONLY_REQUESTS`) sent through `chrome.runtime` is still unanswered, since a request on the
 * channel would overtake it (a ticket saved by sendMessage just before the channel came up replaced the one saved
 * over the channel after it). Reads do not hold the channel back: a restarted worker answers the panel's first
 * `trading.snapshot` only once it has read the account, and the trader's click must not wait for that.
 */
export class DirectChannel {
  /** Names this page to the worker, on the hello and on the events port. */
  readonly page: string;
  #port: MessagePort | null = null;
  #ready = false;
  #nextId = 1;
  /** Requests that change something, sent through `chrome.runtime` and not answered yet. */
  #writesViaRuntime = 0;
  readonly #pending = new Map<number, (raw: unknown) => void>();

  /** `container` is `navigator.serviceWorker`, undefined where a page has none: requests then keep to sendMessage. */
  constructor(
    private readonly container: () => WorkerContainer | undefined,
    page: string = crypto.randomUUID(),
  ) {
    this.page = page;
  }

  /** Hands a new channel to the worker; requests take it once the worker answers `ready`. */
  open(): void {
    this.close();
    const container = this.container();
    if (container === undefined) return;
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    port1.onmessage = (e: MessageEvent<unknown>) => this.#onReply(port1, e.data);
    void container.ready.then((registration) => {
      if (this.#port === port1) registration.active?.postMessage({ type: CHANNEL_HELLO, page: this.page }, [port2]);
    });
  }

  close(): void {
    this.#port?.close();
    this.#port = null;
    this.#ready = false;
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    for (const settle of waiting) settle(undefined);
  }

  /** Sends `req` on the channel, or through `runtime` (`chrome.runtime.sendMessage`) while the channel is not up. */
  send(req: { readonly type: string }, runtime: (req: unknown) => Promise<unknown>): Promise<unknown> {
    const port = this.#port;
    if (!this.#ready || port === null || this.#writesViaRuntime > 0) {
      if (READ_ONLY_REQUESTS.has(req.type as RequestType)) return runtime(req);
      this.#writesViaRuntime += 1;
      return runtime(req).finally(() => (this.#writesViaRuntime -= 1));
    }
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      port.postMessage({ id, request: req });
    });
  }

  /**
   * Takes a message from the page's events port if it is an answer to a request sent on the channel (the worker
   * answers there, messages.ts says why); returns false for anything else, which is an event.
   */
  answer(message: unknown): boolean {
    const answer = ChannelAnswerSchema.safeParse(message);
    if (!answer.success) return false;
    this.#settle(answer.data.id, answer.data.response);
    return true;
  }

  #onReply(port: MessagePort, data: unknown): void {
    if (port !== this.#port) return;
    const reply = ChannelReplySchema.safeParse(data);
    if (!reply.success) {
      console.error('Strike: the background sent a malformed message on the direct channel', data);
      return;
    }
    if ('type' in reply.data) this.#ready = true;
    else this.#settle(reply.data.id, reply.data.response);
  }

  #settle(id: number, response: unknown): void {
    const settle = this.#pending.get(id);
    this.#pending.delete(id);
    settle?.(response);
  }
}

const channel = new DirectChannel(() => (typeof navigator === 'undefined' ? undefined : navigator.serviceWorker));

const STOPPED = 'The background stopped before it answered: check the positions and the journal for what was done.';

export async function request<K extends RequestType>(req: RequestOf<K>): Promise<Result<ResponseOf<K>>> {
  let raw: unknown;
  try {
    raw = await channel.send(req, (r) => chrome.runtime.sendMessage(r));
  } catch (e) {
    // Chrome rejects when the worker stopped after taking the request ("A listener indicated an asynchronous
    // response by returning true, but the message channel closed before a response was received", three times in
    // one full soak): it may have acted on it, so the outcome is unknown, not an internal error.
    return err('UNKNOWN_STATUS', `${STOPPED} (${e instanceof Error ? e.message : String(e)})`);
  }
  // The router always answers a Result: undefined is Chrome's answer when the worker stopped before it answered
  // (seen in the soak within milliseconds of a worker stop), and the channel's when it closed first.
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
    const port = chrome.runtime.connect({ name: `${EVENTS_PORT}:${channel.page}` });
    channel.open();
    port.onMessage.addListener((message: unknown) => {
      if (channel.answer(message)) return;
      const parsed = EventSchema.safeParse(message);
      if (parsed.success) listener(parsed.data);
    });
    port.onDisconnect.addListener(() => {
      channel.close();
      const delayMs = performance.now() - openedAtMs >= STEADY_PORT_MS ? 0 : RECONNECT_BACKOFF_MS;
      setTimeout(() => {
        connect();
        onReconnect();
      }, delayMs);
    });
  };
  connect();
}
