/**
 * The journal tab: search, the entries (newest first) with their latency breakdown, CSV export, and a histogram
 * of the last orders' input -> acknowledgement latency.
 */
import type { JournalEntry } from '../../shared/messages.ts';
import { h, replaceChildren, svg } from '../dom.ts';
import { formatLatency, formatMs, formatTime } from '../format.ts';
import { ackLatencies, bucketize, histogramBars, median } from '../histogram.ts';
import { debounce } from '../timing.ts';
import type { PanelContext } from '../context.ts';
import { labelled } from './form-bits.ts';

export interface JournalView {
  /** Loads (or reloads) the entries for the current search. */
  load(): Promise<void>;
  /** A `journal` event. */
  add(entry: JournalEntry): void;
}

const LIMIT = 300;
const HISTOGRAM_ORDERS = 100;
const H_WIDTH = 340;
const H_HEIGHT = 80;

/** True when the entry matches a search (case-insensitive, on its text, kind and client id). */
export function matchesSearch(entry: JournalEntry, text: string): boolean {
  const q = text.trim().toLowerCase();
  if (q === '') return true;
  return `${entry.kind} ${entry.text} ${entry.clientId ?? ''}`.toLowerCase().includes(q);
}

/** File name of an export, dated in UTC: strike-journal-2025-01-31T1203.csv */
export function exportFileName(atMs: number): string {
  const iso = new Date(atMs).toISOString();
  return `strike-journal-${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}.csv`;
}

export function createJournalView(ctx: PanelContext, root: HTMLElement): JournalView {
  const search = h('input', { id: 'journal-search', type: 'search', autocomplete: 'off', placeholder: 'BTCUSDT, error, clientId…' });
  const exportButton = h('button', { id: 'journal-export', type: 'button' }, 'Export CSV');
  const list = h('ol', { id: 'journal-list', class: 'journal', 'aria-label': 'Journal entries' });
  const count = h('p', { id: 'journal-count', class: 'muted', role: 'status' });
  const histogram = svg('svg', {
    id: 'latency-histogram',
    viewBox: `0 0 ${H_WIDTH} ${H_HEIGHT + 16}`,
    role: 'img',
    'aria-labelledby': 'latency-caption',
  });
  const caption = h('p', { id: 'latency-caption', class: 'muted' }, 'Input → ack latency of the last orders');
  replaceChildren(
    root,
    h('div', { class: 'row' }, labelled('Search the journal', search), exportButton),
    h('figure', { class: 'histogram' }, histogram, h('figcaption', {}, caption)),
    count,
    list,
  );

  let entries: JournalEntry[] = [];

  function entryItem(e: JournalEntry): HTMLLIElement {
    const latency = formatLatency(e.latency);
    return h(
      'li',
      { class: `entry kind-${e.kind}` },
      h('time', { datetime: new Date(e.atMs).toISOString() }, formatTime(e.atMs)),
      ' ',
      h('span', { class: 'kind' }, e.kind),
      ' ',
      h('span', { class: 'text' }, e.text),
      latency === '' ? null : h('span', { class: 'latency' }, latency),
    );
  }

  function renderHistogram(): void {
    const values = ackLatencies(entries, HISTOGRAM_ORDERS);
    const buckets = bucketize(values);
    histogram.replaceChildren();
    for (const bar of histogramBars(buckets, H_WIDTH, H_HEIGHT)) {
      const rect = svg('rect', { x: bar.x, y: bar.y, width: bar.width, height: Math.max(bar.bucket.count > 0 ? 1 : 0, bar.height), class: 'bar' });
      const tip = svg('title');
      tip.textContent = `${bar.bucket.label} ms: ${bar.bucket.count}`;
      rect.append(tip);
      const label = svg('text', { x: bar.x + bar.width / 2, y: H_HEIGHT + 12, class: 'axis', 'text-anchor': 'middle' });
      // The axis names each bucket by its lower edge ("≥1k" for the last): full ranges do not fit 11 slots.
      const from = bar.bucket.from >= 1000 ? `${bar.bucket.from / 1000}k` : String(bar.bucket.from);
      label.textContent = bar.bucket.from === 0 ? bar.bucket.label : bar.bucket.to === null ? `≥${from}` : from;
      histogram.append(rect, label);
    }
    caption.textContent =
      values.length === 0
        ? 'Input → ack latency: no acknowledged order yet.'
        : `Input → ack latency of the last ${values.length} orders (ms, bars from each bucket’s lower edge): median ${formatMs(median(values))}, worst ${formatMs(Math.max(...values))}.`;
  }

  function render(): void {
    replaceChildren(list, ...entries.map(entryItem));
    count.textContent = `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}${search.value.trim() === '' ? '' : ` matching “${search.value.trim()}”`}.`;
    renderHistogram();
  }

  async function load(): Promise<void> {
    const r = await ctx.request({ type: 'journal.query', text: search.value.trim().slice(0, 200), limit: LIMIT });
    if (!r.ok) return ctx.status.error(r.error);
    entries = [...r.value].sort((a, b) => b.seq - a.seq);
    render();
  }

  const searchLater = debounce(load, 250);
  search.addEventListener('input', () => searchLater.schedule());

  exportButton.addEventListener('click', () => {
    exportButton.disabled = true;
    void ctx.request({ type: 'journal.export' }).then((r) => {
      exportButton.disabled = false;
      if (!r.ok) return ctx.status.error(r.error);
      const url = URL.createObjectURL(new Blob([r.value.csv], { type: 'text/csv' }));
      const link = h('a', { href: url, download: exportFileName(ctx.now()), hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      // Revoke after the download has started; revoking synchronously can cancel it in Chromium.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      ctx.status.show('Journal exported as CSV.');
    });
  });

  return {
    load,
    add(entry) {
      if (!matchesSearch(entry, search.value) || entries.some((e) => e.seq === entry.seq)) return;
      entries = [entry, ...entries].slice(0, LIMIT);
      render();
    },
  };
}
