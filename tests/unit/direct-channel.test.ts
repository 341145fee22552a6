/**
 * The direct channel end to end in one process: the panel's `DirectChannel` (bridge.ts) handing a real
 * `MessageChannel` to the worker's `acceptChannel` (channel.ts), which dispatches into the real router. Stood in
 * for: the service-worker registration, by a function that delivers the hello as the worker would see it, and the
 * page's events port (`chrome.runtime.connect`), by another `MessageChannel`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acceptChannel, type HelloEvent } from '../../src/background/channel.ts';
import { pageOfPort } from '../../src/background/events.ts';
import { createRouter, type HandlerMap } from '../../src/background/router.ts';
import { DirectChannel, request, type WorkerContainer } from '../../src/sidepanel/bridge.ts';
import { ok, type Result } from '../../src/shared/result.ts';

const options = { extensionId: 'abcdefghijklmnopabcdefghijklmnop', extensionOrigin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop' };
const panelUrl = `${options.extensionOrigin}/src/sidepanel/index.html`;

type Sender = { origin: string; url: string | null };

/** A worker with only `ui.setMinimized` answering (after `gate` opens, so answers can be held back) and `app.status` refusing. */
function worker(sender: Sender = { origin: options.extensionOrigin, url: panelUrl }) {
  let release: () => void = () => undefined;
  let gate = Promise.resolve();
  const setMinimized = vi.fn(async (r: { minimized: boolean }) => {
    await gate;
    return ok({ minimized: r.minimized });
  });
  const handlers = new Proxy({ 'ui.setMinimized': setMinimized } as unknown as HandlerMap, {
    get: (target, key) => Reflect.get(target, key) ?? (async () => { throw new Error(`unexpected ${String(key)}`); }),
  });
  const router = createRouter(handlers, options);
  const malformed: unknown[] = [];
  const accepted: boolean[] = [];
  // The page's events port: what is not an answer to a channel request is an event.
  const eventsPort = new MessageChannel();
  let eventsPortUp = true;
  let page: DirectChannel | undefined;
  eventsPort.port1.onmessage = (e: MessageEvent<unknown>) => {
    if (page?.answer(e.data) !== true) events.push(e.data);
  };
  ports.push(eventsPort.port1, eventsPort.port2);
  let now = 100;
  const container: WorkerContainer = {
    ready: Promise.resolve({
      active: {
        postMessage(data: unknown, transfer: Transferable[]) {
          const event: HelloEvent = {
            data,
            origin: sender.origin,
            source: sender.url === null ? null : { url: sender.url },
            ports: transfer.filter((t): t is MessagePort => t instanceof MessagePort),
          };
          accepted.push(
            acceptChannel(event, {
              options,
              dispatch: router.dispatch,
              now: () => now++,
              eventsPortOf: (page) => (page === PAGE && eventsPortUp ? eventsPort.port2 : undefined),
              onRequest: () => undefined,
              onMalformed: (d) => malformed.push(d),
            }),
          );
        },
      },
    }),
  };
  return {
    container,
    setMinimized,
    malformed,
    accepted,
    /** Publishes an event on the page's events port, as events.ts does. */
    publish: (event: unknown) => eventsPort.port2.postMessage(event),
    /** The page whose answers arrive on the events port. */
    serve(c: DirectChannel) {
      page = c;
    },
    dropEventsPort() {
      eventsPortUp = false;
    },
    hold() {
      gate = new Promise((r) => (release = r));
    },
    release: () => release(),
  };
}

/** What went through `chrome.runtime.sendMessage` instead; each answer waits until `answerRuntime()`. */
const viaRuntime: unknown[] = [];
let runtimeWaiting: Array<() => void> = [];
const runtime = (req: unknown): Promise<unknown> => {
  viaRuntime.push(req);
  return new Promise((resolve) => runtimeWaiting.push(() => resolve({ ok: true, value: 'runtime' })));
};
function answerRuntime(): void {
  for (const answer of runtimeWaiting.splice(0)) answer();
}
const minimize = (minimized: boolean) => ({ type: 'ui.setMinimized', minimized });

/** Resolves once `channel` takes requests itself (the worker's `ready` arrived), or fails after `ms`. */
async function up(channel: DirectChannel, ms = 1_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const before = viaRuntime.length;
    const answer = channel.send(minimize(false), runtime);
    if (viaRuntime.length === before) {
      await answer;
      return;
    }
    answerRuntime();
    await answer;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error('the channel never came up');
}

const PAGE = '0123abcd-0000-4000-8000-000000000000';
const channels: DirectChannel[] = [];
const ports: MessagePort[] = [];
const events: unknown[] = [];
function channelTo(w: ReturnType<typeof worker> | undefined): DirectChannel {
  const c = new DirectChannel(() => w?.container, PAGE);
  w?.serve(c);
  channels.push(c);
  return c;
}
afterEach(() => {
  for (const c of channels.splice(0)) c.close();
  for (const p of ports.splice(0)) p.close();
  answerRuntime();
  viaRuntime.length = 0;
  events.length = 0;
});

/** A worker, and a page whose channel to it is up. */
async function connected(): Promise<{ w: ReturnType<typeof worker>; c: DirectChannel }> {
  const w = worker();
  const c = channelTo(w);
  c.open();
  await up(c);
  return { w, c };
}

describe('direct channel', () => {
  it('sends through chrome.runtime until the worker says ready, and where the page has no service worker container', async () => {
    const w = worker();
    const c = channelTo(w);
    c.open();
    const early = c.send(minimize(true), runtime);
    expect(viaRuntime).toEqual([minimize(true)]);
    answerRuntime();
    expect(await early).toEqual({ ok: true, value: 'runtime' });
    await up(c);
    const none = channelTo(undefined);
    none.open();
    const answer = none.send(minimize(true), runtime);
    expect(viaRuntime.at(-1)).toEqual(minimize(true));
    answerRuntime();
    await answer;
  });

  it('carries a request to the router and its answer back, each answer to its own request', async () => {
    const { w, c } = await connected();
    const sentBefore = viaRuntime.length;
    w.hold();
    const first = c.send(minimize(true), runtime);
    const second = c.send(minimize(false), runtime);
    w.release();
    expect(await Promise.all([first, second])).toEqual([
      { ok: true, value: { minimized: true } },
      { ok: true, value: { minimized: false } },
    ]);
    expect(viaRuntime.length).toBe(sentBefore);
  });

  it('keeps requests in order: no request takes the channel while one sent through chrome.runtime is unanswered', async () => {
    const w = worker();
    const c = channelTo(w);
    c.open();
    const early = c.send(minimize(true), runtime);
    // The channel comes up while the early request is still on its way.
    await new Promise((r) => setTimeout(r, 20));
    const later = c.send(minimize(false), runtime);
    expect(viaRuntime).toEqual([minimize(true), minimize(false)]);
    expect(w.setMinimized).not.toHaveBeenCalled();
    answerRuntime();
    await Promise.all([early, later]);
    const onChannel = c.send(minimize(true), runtime);
    expect(await onChannel).toEqual({ ok: true, value: { minimized: true } });
    expect(viaRuntime).toHaveLength(2);
  });

  it('lets a request take the channel while only a read sent through chrome.runtime is unanswered', async () => {
    const w = worker();
    const c = channelTo(w);
    c.open();
    const read = c.send({ type: 'trading.snapshot' }, runtime);
    await new Promise((r) => setTimeout(r, 20));
    expect(await c.send(minimize(true), runtime)).toEqual({ ok: true, value: { minimized: true } });
    expect(viaRuntime).toEqual([{ type: 'trading.snapshot' }]);
    answerRuntime();
    await read;
  });

  it('answers a malformed request with the router’s own error', async () => {
    const { c } = await connected();
    const malformed = { type: 'ui.setMinimized', minimized: 'yes' };
    const answer = (await c.send(malformed, runtime)) as Result<unknown>;
    expect(answer.ok).toBe(false);
    if (!answer.ok) expect(answer.error.code).toBe('BAD_REQUEST');
    expect(((await c.send({ type: 'no.such' }, runtime)) as Result<unknown>).ok).toBe(false);
  });

  it('answers undefined to a request still waiting when the channel closes, and then falls back', async () => {
    const { w, c } = await connected();
    w.hold();
    const waiting = c.send(minimize(true), runtime);
    c.close();
    expect(await waiting).toBeUndefined();
    const after = c.send(minimize(true), runtime);
    expect(viaRuntime.at(-1)).toEqual(minimize(true));
    answerRuntime();
    await after;
    w.release();
  });

  it('a reopened channel replaces the old one', async () => {
    const { w, c } = await connected();
    c.open();
    await up(c);
    expect(w.accepted).toEqual([true, true]);
  });

  it('answers on the events port, behind the events published before the answer', async () => {
    const { w, c } = await connected();
    w.hold();
    const answer = c.send(minimize(true), runtime).then((a) => ({ a, eventsSeen: events.length }));
    w.publish({ type: 'notice', level: 'info', text: 'before the answer' });
    w.release();
    expect(await answer).toEqual({ a: { ok: true, value: { minimized: true } }, eventsSeen: 1 });
    expect(events).toEqual([{ type: 'notice', level: 'info', text: 'before the answer' }]);
  });

  it('answers on the channel itself while the page has no events port', async () => {
    const w = worker();
    w.dropEventsPort();
    const c = channelTo(w);
    c.open();
    await up(c);
    expect(await c.send(minimize(true), runtime)).toEqual({ ok: true, value: { minimized: true } });
    expect(events).toEqual([]);
  });

  it.each([
    ['another origin', { origin: 'https://evil.example', url: 'https://evil.example/' }],
    ['a page of another extension', { origin: 'chrome-extension://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', url: 'chrome-extension://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/x.html' }],
    ['a sender without a URL (a worker or a port)', { origin: options.extensionOrigin, url: null }],
  ])('is refused from %s: the page keeps to sendMessage', async (_what, sender: Sender) => {
    const w = worker(sender);
    const c = channelTo(w);
    c.open();
    await new Promise((r) => setTimeout(r, 20));
    expect(w.accepted).toEqual([false]);
    const answer = c.send(minimize(true), runtime);
    expect(viaRuntime).toEqual([minimize(true)]);
    answerRuntime();
    await answer;
    expect(w.setMinimized).not.toHaveBeenCalled();
  });

  it('reports a message on an accepted port that is not a request envelope', async () => {
    const w = worker();
    const hello = new MessageChannel();
    const port = hello.port1;
    const ready = new Promise((r) => (port.onmessage = (e) => r(e.data)));
    (await w.container.ready).active?.postMessage({ type: 'strike.channel', page: 'abcdef0123' }, [hello.port2]);
    expect(await ready).toEqual({ type: 'ready' });
    port.postMessage({ request: minimize(true) });
    await new Promise((r) => setTimeout(r, 20));
    expect(w.malformed).toEqual([{ request: minimize(true) }]);
    expect(w.setMinimized).not.toHaveBeenCalled();
    port.close();
  });

  it('answers on the channel when the events port went away since the lookup', async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const router = createRouter(new Proxy({} as HandlerMap, { get: () => async () => ok({ minimized: true }) }), options);
    const event: HelloEvent = { data: { type: 'strike.channel', page: PAGE }, origin: options.extensionOrigin, source: { url: panelUrl }, ports: [port2] };
    const gone = {
      postMessage(): void {
        throw new Error('Attempting to use a disconnected port object');
      },
    };
    const replies: unknown[] = [];
    const two = new Promise((resolve) => {
      port1.onmessage = (e: MessageEvent<unknown>) => {
        replies.push(e.data);
        if (replies.length === 2) resolve(replies);
      };
    });
    expect(acceptChannel(event, { options, dispatch: router.dispatch, now: () => 0, eventsPortOf: () => gone, onRequest: () => undefined, onMalformed: () => undefined })).toBe(true);
    port1.postMessage({ id: 7, request: minimize(true) });
    expect(await two).toEqual([{ type: 'ready' }, { id: 7, response: { ok: true, value: { minimized: true } } }]);
  });

  it('leaves other messages alone', () => {
    const { port1, port2 } = new MessageChannel();
    const event: HelloEvent = { data: { type: 'something.else' }, origin: options.extensionOrigin, source: { url: panelUrl }, ports: [port2] };
    const deps = { options, dispatch: async () => ok(null), now: () => 0, eventsPortOf: () => undefined, onRequest: () => undefined, onMalformed: () => undefined };
    expect(acceptChannel(event, deps)).toBe(false);
    expect(acceptChannel({ ...event, data: { type: 'strike.channel', page: 'abcdef0123' }, ports: [] }, deps)).toBe(false);
    expect(acceptChannel({ ...event, data: { type: 'strike.channel', page: '../../x' } }, deps)).toBe(false);
    port1.close();
  });
});

describe('events port names', () => {
  it.each([
    ['strike.events', ''],
    ['strike.events:0123abcd-0000-4000-8000-000000000000', '0123abcd-0000-4000-8000-000000000000'],
    ['strike.events:', null],
    ['strike.events:../x', null],
    ['other', null],
  ])('%s names page %s', (name, page) => {
    expect(pageOfPort(name)).toBe(page);
  });
});

describe('the bridge when the worker stops before answering', () => {
  const submit = { type: 'order.submit', side: 'BUY', source: 'panel', inputAtMs: 1 } as const;
  afterEach(() => vi.unstubAllGlobals());

  it.each([
    ['rejects', () => Promise.reject(new Error('A listener indicated an asynchronous response by returning true, but the message channel closed before a response was received'))],
    ['answers undefined', () => Promise.resolve(undefined)],
  ])('sendMessage %s: the outcome is unknown, never an internal error', async (_what, sendMessage) => {
    vi.stubGlobal('chrome', { runtime: { sendMessage } });
    const answer = await request(submit);
    expect(answer.ok).toBe(false);
    if (!answer.ok) {
      expect(answer.error.code).toBe('UNKNOWN_STATUS');
      expect(answer.error.message).toMatch(/^The background stopped before it answered: check the positions/);
    }
  });
});
