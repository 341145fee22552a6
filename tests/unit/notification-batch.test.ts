import { describe, expect, it } from 'vitest';
import { NOTIFY_BATCH_MS, NotificationBatch, type NotifyLevel } from '../../src/background/notification-batch.ts';

function fake() {
  const shown: { title: string; message: string; priority: 0 | 2 }[] = [];
  let now = 0;
  let timers: { at: number; fn: () => void }[] = [];
  const batch = new NotificationBatch({ show: (n) => void shown.push(n), after: (ms, fn) => void timers.push({ at: now + ms, fn }) });
  const advance = (ms: number): void => {
    now += ms;
    const due = timers.filter((t) => t.at <= now);
    timers = timers.filter((t) => t.at > now);
    for (const t of due) t.fn();
  };
  return { batch, shown, advance };
}

describe('NotificationBatch', () => {
  it('shows nothing until the batch window ends, then one notification with every line in order', () => {
    const { batch, shown, advance } = fake();
    batch.add('info', 'Filled BUY 0.01 BTCUSDT');
    advance(NOTIFY_BATCH_MS - 1);
    batch.add('info', 'BTCUSDT: safety stop at 90000 placed');
    expect(shown).toEqual([]);
    advance(1);
    expect(shown).toEqual([{ title: 'Strike', message: 'Filled BUY 0.01 BTCUSDT\nBTCUSDT: safety stop at 90000 placed', priority: 0 }]);
  });

  it('starts a new batch after a flush', () => {
    const { batch, shown, advance } = fake();
    batch.add('info', 'one');
    advance(NOTIFY_BATCH_MS);
    batch.add('info', 'two');
    advance(NOTIFY_BATCH_MS);
    expect(shown.map((n) => n.message)).toEqual(['one', 'two']);
  });

  it.each<[NotifyLevel[], string, 0 | 2]>([
    [['info', 'warn'], 'Strike: warning', 0],
    [['info', 'error', 'warn'], 'Strike: error', 2],
  ])('levels %j: title %s, priority %i, errors and warnings first', (levels, title, priority) => {
    const { batch, shown, advance } = fake();
    levels.forEach((l, i) => batch.add(l, `${l} ${i}`));
    advance(NOTIFY_BATCH_MS);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.title).toBe(title);
    expect(shown[0]?.priority).toBe(priority);
    expect(shown[0]?.message.split('\n')[0]).toBe(levels.includes('error') ? 'error 1' : 'warn 1');
  });

  it('a long burst shows its first lines and counts the rest', () => {
    const { batch, shown, advance } = fake();
    for (let i = 1; i <= 6; i++) batch.add('info', `line ${i}`);
    advance(NOTIFY_BATCH_MS);
    expect(shown[0]?.message).toBe('line 1\nline 2\nline 3\n…and 3 more (Journal tab)');
  });
});
