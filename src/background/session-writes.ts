/**
 * Writes to `chrome.storage.session` from the worker's hot paths, coalesced: every write issued during one task of
 * the worker goes to the browser as one `set`, after that task. Each `set` costs the worker's thread about 0.1 ms
 * whatever it carries (measured in the worker: 100-115 µs a call for one key of 10 bytes or 4 KB, 133 µs for five
 * keys), and a fill's handling issued five to ten of them before its protective stop's frame could leave: a CPU
 * profile of 20 bench entries spent 24 ms in them.
 *
 * Issued after the task, so after the frames the task sends: none of these writes is one a frame must wait for. The
 * writes that are (a trader's order id's reservation, or the `sent` entry of an order without one, and the
 * protector's id reservation) are confirmed writes, issued at
 * once and carrying the batch before them, so their confirmation confirms every write issued before them; and the
 * writes that must be issued in a frame's own task, though not waited for, go at once with the batch too. Writes
 * reach the browser in call order (a later value of a key replaces an earlier one in the same batch, which is what
 * the browser would have kept), and reads and removals are issued after the batch, so none overtakes a write.
 *
 * What Chrome drops: a write issued while it is stopping the worker (the worker may still send on its sockets for
 * ~50 ms). Unconfirmed writes are for state whose loss the next worker handles (worker-ports.ts says how for each).
 */

/** The `chrome.storage.session` calls used, injected so the batching is tested without a browser. */
export interface SessionArea {
  set(items: Record<string, unknown>): Promise<void>;
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  remove(keys: string | string[]): Promise<void>;
}

export interface SessionWriterDeps {
  readonly area: () => SessionArea;
  /** Runs `fn` after the current task (`setTimeout(fn, 0)` in the worker). */
  readonly afterTask: (fn: () => void) => void;
  /** An unconfirmed write the browser refused: nobody waits for it, so it is reported. */
  readonly onLostWrite: (error: unknown) => void;
}

export class SessionWriter {
  #batch: Record<string, unknown> | null = null;
  /** Values of the batch computed only when it is issued ({@link writeComputed}). */
  readonly #computed = new Map<string, () => unknown>();

  constructor(private readonly deps: SessionWriterDeps) {}

  /** Issues the write after this task, batched with the task's other writes; nothing waits for it. */
  write(items: Record<string, unknown>): void {
    const batch = this.#open();
    for (const k of Object.keys(items)) this.#computed.delete(k);
    Object.assign(batch, items);
  }

  /**
   * Like {@link write}, but the value is computed when the batch is issued: after the task's frames have left, and
   * once however often the key was written in the task. For a large value written at every step (the protector's
   * state, serialised: 40-50 µs for 7 KB on this project's machine, on the path from a fill to its stop's frame).
   */
  writeComputed(key: string, value: () => unknown): void {
    const batch = this.#open();
    delete batch[key];
    this.#computed.set(key, value);
  }

  /** The batch of this task, with its flush scheduled. */
  #open(): Record<string, unknown> {
    if (this.#batch === null) {
      this.#batch = {};
      this.deps.afterTask(() => this.#flush());
    }
    return this.#batch;
  }

  /** Issues the batch and this write now, as one `set`, before whatever the caller does next; nothing waits for it. */
  writeNow(items: Record<string, unknown>): void {
    this.#issue(items);
  }

  /** Issues the batch and this write now, as one `set`; resolves when the browser has stored them. */
  writeConfirmed(items: Record<string, unknown>): Promise<void> {
    const batch = this.#take();
    const written = this.deps.area().set({ ...batch, ...items });
    // The caller hears of a refusal; the batch's own writes had nobody waiting for them.
    if (Object.keys(batch).length > 0) written.catch(this.deps.onLostWrite);
    return written;
  }

  /** Reads after every write issued so far. */
  read(keys: string | string[] | null): Promise<Record<string, unknown>> {
    this.#flush();
    return this.deps.area().get(keys);
  }

  /** Removes after every write issued so far (a batched write of a removed key must not bring it back). */
  remove(keys: string[]): Promise<void> {
    this.#flush();
    return this.deps.area().remove(keys);
  }

  #take(): Record<string, unknown> {
    const batch = this.#batch ?? {};
    this.#batch = null;
    for (const [k, value] of this.#computed) batch[k] = value();
    this.#computed.clear();
    return batch;
  }

  #flush(): void {
    this.#issue({});
  }

  /** One unconfirmed `set` of the batch and `items`, unless both are empty. */
  #issue(items: Record<string, unknown>): void {
    const batch = { ...this.#take(), ...items };
    if (Object.keys(batch).length === 0) return;
    this.deps.area().set(batch).catch(this.deps.onLostWrite);
  }
}
