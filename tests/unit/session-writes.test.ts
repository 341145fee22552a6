import { describe, expect, it } from 'vitest';
import { SessionWriter, type SessionArea } from '../../src/background/session-writes.ts';

type Call = { op: 'set'; items: Record<string, unknown> } | { op: 'get'; keys: string | string[] | null } | { op: 'remove'; keys: string | string[] };

/** chrome.storage.session as far as ordering goes: every call is recorded in the order the browser receives it. */
class RecordingArea implements SessionArea {
  readonly calls: Call[] = [];
  readonly data = new Map<string, unknown>();
  refuseSets = false;
  set(items: Record<string, unknown>): Promise<void> {
    this.calls.push({ op: 'set', items: { ...items } });
    if (this.refuseSets) return Promise.reject(new Error('Session storage quota bytes exceeded.'));
    for (const [k, v] of Object.entries(items)) this.data.set(k, v);
    return Promise.resolve();
  }
  get(keys: string | string[] | null): Promise<Record<string, unknown>> {
    this.calls.push({ op: 'get', keys });
    const wanted = keys === null ? [...this.data.keys()] : Array.isArray(keys) ? keys : [keys];
    return Promise.resolve(Object.fromEntries(wanted.filter((k) => this.data.has(k)).map((k) => [k, this.data.get(k)])));
  }
  remove(keys: string | string[]): Promise<void> {
    this.calls.push({ op: 'remove', keys });
    for (const k of Array.isArray(keys) ? keys : [keys]) this.data.delete(k);
    return Promise.resolve();
  }
}

/** A writer whose tasks end when the test says, and the writes it reported lost. */
function setUp(): { area: RecordingArea; writer: SessionWriter; endTask: () => void; lost: unknown[] } {
  const area = new RecordingArea();
  const due: Array<() => void> = [];
  const lost: unknown[] = [];
  const writer = new SessionWriter({ area: () => area, afterTask: (fn) => due.push(fn), onLostWrite: (e) => lost.push(e) });
  return { area, writer, lost, endTask: () => due.splice(0).forEach((fn) => fn()) };
}

describe('SessionWriter: session-storage writes batched per task, in order', () => {
  it('issues the writes of one task as one set after it, the last value of a key winning', () => {
    const { area, writer, endTask } = setUp();
    writer.write({ a: '1' });
    writer.write({ b: '2' });
    writer.write({ a: '3' });
    expect(area.calls).toEqual([]);
    endTask();
    expect(area.calls).toEqual([{ op: 'set', items: { a: '3', b: '2' } }]);
    writer.write({ c: '4' });
    endTask();
    expect(area.calls).toHaveLength(2);
    expect(area.calls[1]).toEqual({ op: 'set', items: { c: '4' } });
  });

  it('a task with no write issues nothing', () => {
    const { area, endTask } = setUp();
    endTask();
    expect(area.calls).toEqual([]);
  });

  it('a confirmed write carries the batch before it, in one set, so its confirmation covers them', async () => {
    const { area, writer, endTask } = setUp();
    writer.write({ pending: 'p', state: 's1' });
    await writer.writeConfirmed({ sent: 'x', state: 's2' });
    expect(area.calls).toEqual([{ op: 'set', items: { pending: 'p', state: 's2', sent: 'x' } }]);
    // The batch went with it: the task's end has nothing left to issue.
    endTask();
    expect(area.calls).toHaveLength(1);
  });

  it('a write that must precede a frame goes at once with the batch, unconfirmed', () => {
    const { area, writer, endTask } = setUp();
    writer.write({ state: 's1' });
    writer.writeNow({ sent: 'x' });
    expect(area.calls).toEqual([{ op: 'set', items: { state: 's1', sent: 'x' } }]);
    endTask();
    expect(area.calls).toHaveLength(1);
  });

  it('a write after a confirmed one in the same task is issued after it', async () => {
    const { area, writer, endTask } = setUp();
    writer.write({ a: '1' });
    const confirmed = writer.writeConfirmed({ b: '2' });
    writer.write({ a: '3' });
    endTask();
    await confirmed;
    expect(area.calls).toEqual([
      { op: 'set', items: { a: '1', b: '2' } },
      { op: 'set', items: { a: '3' } },
    ]);
    expect(area.data.get('a')).toBe('3');
  });

  it('reads and removals are issued after every write before them, so neither overtakes one', async () => {
    const { area, writer, endTask } = setUp();
    writer.write({ k: 'v' });
    expect(await writer.read('k')).toEqual({ k: 'v' });
    writer.write({ old: 'o' });
    await writer.remove(['old']);
    endTask();
    expect(area.calls.map((c) => c.op)).toEqual(['set', 'get', 'set', 'remove']);
    // The removed key is not brought back by a batch issued later.
    expect(area.data.has('old')).toBe(false);
  });

  it('reports an unconfirmed write the browser refused; a confirmed one rejects to its caller and reports its batch', async () => {
    const { area, writer, endTask, lost } = setUp();
    area.refuseSets = true;
    writer.write({ a: '1' });
    endTask();
    await Promise.resolve();
    expect(lost).toHaveLength(1);
    await expect(writer.writeConfirmed({ b: '2' })).rejects.toThrow('quota');
    // Nothing else was batched with it: only the caller hears.
    expect(lost).toHaveLength(1);
    writer.write({ c: '3' });
    await expect(writer.writeConfirmed({ d: '4' })).rejects.toThrow('quota');
    await Promise.resolve();
    expect(lost).toHaveLength(2);
  });
});

describe('SessionWriter.writeComputed: a value computed when its batch is issued', () => {
  it('is computed once, after the task, from the last call of the task', () => {
    const { area, writer, endTask } = setUp();
    const computed: string[] = [];
    for (const v of ['s1', 's2', 's3']) writer.writeComputed('state', () => (computed.push(v), v));
    writer.write({ other: 'x' });
    expect(computed).toEqual([]);
    endTask();
    expect(computed).toEqual(['s3']);
    expect(area.calls).toEqual([{ op: 'set', items: { other: 'x', state: 's3' } }]);
  });

  it('the later of a plain and a computed write of one key wins, either way round', () => {
    const { area, writer, endTask } = setUp();
    writer.writeComputed('a', () => 'computed');
    writer.write({ a: 'plain' });
    writer.write({ b: 'plain' });
    writer.writeComputed('b', () => 'computed');
    endTask();
    expect(area.calls).toEqual([{ op: 'set', items: { a: 'plain', b: 'computed' } }]);
  });

  it('goes with a write issued at once or confirmed, computed then, and not again after the task', async () => {
    const { area, writer, endTask } = setUp();
    let n = 0;
    writer.writeComputed('state', () => `v${++n}`);
    writer.writeNow({ entry: 'sent' });
    expect(area.calls).toEqual([{ op: 'set', items: { state: 'v1', entry: 'sent' } }]);
    writer.writeComputed('state', () => `v${++n}`);
    await writer.writeConfirmed({ reservation: 'r' });
    endTask();
    expect(area.calls).toEqual([
      { op: 'set', items: { state: 'v1', entry: 'sent' } },
      { op: 'set', items: { state: 'v2', reservation: 'r' } },
    ]);
    expect(n).toBe(2);
  });

  it('a read after it sees the computed value', async () => {
    const { writer } = setUp();
    writer.writeComputed('state', () => 'v');
    expect(await writer.read('state')).toEqual({ state: 'v' });
  });
});
