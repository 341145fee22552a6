/**
 * The background's single entry for requests. Order of checks: sender (our own extension pages only), then parse
 * (strict zod), then dispatch through a handler map that the compiler checks for completeness. Anything foreign,
 * unknown or malformed gets a specific error and never reaches a handler.
 */
import { REQUEST_TYPES, RequestSchema, type RequestOf, type RequestType, type ResponseOf } from '../shared/messages.ts';
import { err, type Result } from '../shared/result.ts';
import type { z } from '../shared/zod.ts';

/** The parts of `chrome.runtime.MessageSender` the router reads. */
export interface SenderLike {
  readonly id?: string | undefined;
  readonly url?: string | undefined;
  readonly origin?: string | undefined;
}

/** What the router knows of a request besides its body. */
export interface RequestContext {
  /** When the router received it, on the clock of {@link RouterOptions.now} (the order latency breakdown). */
  readonly receivedAt: number;
}

export type Handler<K extends RequestType> = (request: RequestOf<K>, context: RequestContext) => Promise<Result<ResponseOf<K>>>;
export type HandlerMap = { readonly [K in RequestType]: Handler<K> };

export interface RouterOptions {
  readonly extensionId: string;
  /** `chrome-extension://<id>` */
  readonly extensionOrigin: string;
  /** A monotonic high-resolution clock (`performance.now` in the worker); 0 when absent. */
  readonly now?: () => number;
}

/**
 * A sender is trusted when it is this extension and the page is one of ours. Content scripts (we ship none) and
 * other extensions would carry a web page URL or another id; an extension page opened as a tab has `sender.tab`
 * but still our own URL, so the URL, not the presence of a tab, decides.
 */
export function isTrustedSender(sender: SenderLike, opts: RouterOptions): boolean {
  if (sender.id !== opts.extensionId) return false;
  // A prefix test, not `new URL().origin`: non-special schemes have an opaque "null" origin outside Chromium.
  if (sender.url === undefined || !sender.url.startsWith(`${opts.extensionOrigin}/`)) return false;
  return sender.origin === undefined || sender.origin === opts.extensionOrigin;
}

/**
 * Names an unknown `type` without serialising it: a message's `type` may be anything (a huge string, a cyclic
 * object, a BigInt from inside the worker), and the answer must stay small and never throw.
 */
function describeType(type: unknown): string {
  if (typeof type === 'string') return JSON.stringify(type.length > 40 ? `${type.slice(0, 40)}…` : type);
  if (type === null) return 'null';
  return `(a ${typeof type})`;
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : 'message'}: ${i.message}`)
    .join('; ');
}

/** Builds the router. `route` never throws: a handler that throws is a bug, reported as INTERNAL. */
export function createRouter(handlers: HandlerMap, opts: RouterOptions) {
  const now = opts.now ?? (() => 0);

  async function dispatch(raw: unknown, receivedAt: number = now()): Promise<Result<unknown>> {
    const parsed = RequestSchema.safeParse(raw);
    if (!parsed.success) {
      const type = typeof raw === 'object' && raw !== null && 'type' in raw ? (raw as { type: unknown }).type : undefined;
      const known = (REQUEST_TYPES as readonly unknown[]).includes(type);
      if (!known) return err('UNKNOWN_TYPE', `Unknown request type ${describeType(type)}.`);
      return err('BAD_REQUEST', `Malformed ${String(type)} request: ${describeIssues(parsed.error)}.`);
    }
    const request = parsed.data;
    const handler = handlers[request.type] as Handler<typeof request.type>;
    try {
      return await handler(request as never, { receivedAt });
    } catch (e) {
      return err('INTERNAL', `Internal error while handling ${request.type}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  return {
    /** For messages from `chrome.runtime.onMessage`: checks the sender first. */
    async route(raw: unknown, sender: SenderLike): Promise<Result<unknown>> {
      const receivedAt = now();
      if (!isTrustedSender(sender, opts)) {
        return err('FOREIGN_SENDER', 'Refused: requests are accepted only from Strike’s own pages.');
      }
      return dispatch(raw, receivedAt);
    },
    /** For requests born inside the background (hotkeys): same parse and handlers, no sender. */
    dispatch,
  };
}
