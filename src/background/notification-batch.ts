/**
 * System notifications for what the trading session reports, shown in batches. Chrome's extension bindings fetch,
 * decode and draw a notification's icon on the worker's own thread each time one is created: the bench's profile
 * of the worker put it at about 2.5 ms per notification, spent right when a fill's stop is being sent (the fill, the
 * stop and the close of the previous position each notified). What arrives within {@link NOTIFY_BATCH_MS} of the
 * first report is shown as one notification once the burst's order work is done, which also spares the trader a
 * stack of pop-ups for one trade. Every report still reaches open pages at once, and the journal keeps each line.
 */
export const NOTIFY_BATCH_MS = 150;
/** Lines one notification shows; the rest are counted (the journal has them all). */
export const NOTIFY_MAX_LINES = 4;

export type NotifyLevel = 'info' | 'warn' | 'error';

export interface NotificationPorts {
  show(n: { title: string; message: string; priority: 0 | 2 }): void;
  after(ms: number, fn: () => void): void;
}

export class NotificationBatch {
  /** The batch waiting to be shown; a flush is scheduled exactly while it is not empty. */
  #lines: { level: NotifyLevel; text: string }[] = [];

  constructor(private readonly ports: NotificationPorts) {}

  add(level: NotifyLevel, text: string): void {
    this.#lines.push({ level, text });
    if (this.#lines.length === 1) this.ports.after(NOTIFY_BATCH_MS, () => this.#flush());
  }

  #flush(): void {
    const lines = this.#lines;
    this.#lines = [];
    const errors = lines.filter((l) => l.level === 'error').length;
    const warnings = lines.filter((l) => l.level === 'warn').length;
    // Errors first: a notification shows only its first lines, and those are the ones to act on.
    const rank = (l: NotifyLevel): number => (l === 'error' ? 0 : l === 'warn' ? 1 : 2);
    const ordered = [...lines].sort((a, b) => rank(a.level) - rank(b.level));
    const shown = ordered.length > NOTIFY_MAX_LINES ? ordered.slice(0, NOTIFY_MAX_LINES - 1) : ordered;
    const rest = ordered.length - shown.length;
    const message = [...shown.map((l) => l.text), ...(rest > 0 ? [`…and ${rest} more (Journal tab)`] : [])].join('\n');
    const title = errors > 0 ? 'Strike: error' : warnings > 0 ? 'Strike: warning' : 'Strike';
    this.ports.show({ title, message, priority: errors > 0 ? 2 : 0 });
  }
}
