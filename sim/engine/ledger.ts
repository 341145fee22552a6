/**
 * Append-only record of everything that happened on the exchange, for tests and the soak harness to audit
 * (`GET /control/ledger?since=<seq>`). Sequence numbers are dense and start at 1, so `since` is an O(1) slice.
 */
export type LedgerKind =
  | 'order.placed'
  | 'order.rejected'
  | 'order.canceled'
  | 'order.expired'
  | 'order.filled'
  | 'order.amended'
  | 'fill'
  | 'position'
  | 'algo.placed'
  | 'algo.rejected'
  | 'algo.triggered'
  | 'algo.canceled'
  | 'algo.expired'
  | 'algo.finished'
  | 'account.config';

/** One ledger entry; `time` is exchange time. */
export interface LedgerEntry {
  readonly seq: number;
  readonly time: number;
  readonly kind: LedgerKind;
  readonly accountId: string;
  readonly symbol: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

export class Ledger {
  private entries: LedgerEntry[] = [];

  append(time: number, kind: LedgerKind, accountId: string, symbol: string | null, data: Record<string, unknown>): LedgerEntry {
    const entry: LedgerEntry = { seq: this.entries.length + 1, time, kind, accountId, symbol, data };
    this.entries.push(entry);
    return entry;
  }

  /** Entries with seq > `since`, at most `limit`. */
  since(since: number, limit = 10_000): readonly LedgerEntry[] {
    const start = Math.max(0, Math.floor(since));
    return this.entries.slice(start, start + limit);
  }

  get lastSeq(): number {
    return this.entries.length;
  }

  clear(): void {
    this.entries = [];
  }
}
