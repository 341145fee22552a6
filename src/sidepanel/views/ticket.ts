/**
 * The order ticket. Every valid change is saved to the background (debounced) because the hotkeys place the
 * panel's current ticket; the background's preview for BUY and SELL is shown before any click. Exchange rules
 * (tick, step, min notional, leverage bracket) are judged by the background: its message and suggestion are
 * shown as they come, with a button that applies the suggestion.
 */
import type { Environment, Preview, Side, Ticket, TradingSnapshot } from '../../shared/messages.ts';
import type { AppError } from '../../shared/result.ts';
import { h, replaceChildren } from '../dom.ts';
import { fixed, formatSpread, plain } from '../format.ts';
import {
  applySuggestion,
  describeSuggestion,
  sizeModes,
  SIZE_MODE_LABEL,
  sizeUnit,
  sameTicket,
  sameValues,
  ticketToValues,
  valuesToTicket,
  type TicketField,
  type TicketValues,
} from '../ticket-form.ts';
import { loadConfirm, saveConfirm } from '../preferences.ts';
import type { Preset } from '../presets.ts';
import { contractNow, loadContract } from '../contract.ts';
import { debounce, throttle } from '../timing.ts';
import type { PanelContext } from '../context.ts';
import { labelled } from './form-bits.ts';

export interface TicketView {
  /** The saved ticket from a snapshot; applied until the trader edits the form. */
  load(ticket: Ticket): void;
  /**
   * The last known saved ticket (boot-state.ts), shown and editable at once while the live snapshot is on its way.
   * When the live ticket then differs and the trader has not edited, the form takes the live one.
   */
  restore(values: TicketValues): void;
  /** Whether the live ticket replaced a restored one that differed (a click made before that saw another ticket). */
  liveDiffered(): boolean;
  /** The saved ticket as form values (for the next panel's boot state), once one is known. */
  savedValues(): TicketValues | undefined;
  /** Symbols, marks, book and balance from a snapshot. */
  market(snapshot: TradingSnapshot): void;
  /** A `mark` event. */
  mark(symbol: string, price: string): void;
  /** The symbol in view (for the chart and the positions' highlight). */
  symbol(): string;
  setEnvironment(env: Environment | undefined): void;
  confirmRequired(): boolean;
  /** Saves a pending edit; false (with the reason shown) when the ticket on screen is invalid or was refused. */
  readyToSend(): Promise<boolean>;
  /** One line for the confirmation step: what a click on `side` will send. */
  describe(side: Side): string;
}

export interface TicketHooks {
  onSymbol(symbol: string): void;
  /** The background accepted a new saved ticket: what the next panel opens on has changed. */
  onSaved(): void;
}

/** Ticket fields -> the ids of their inputs (stable ids for the e2e tests). */
export const TICKET_IDS: Record<TicketField, string> = {
  symbol: 'ticket-symbol',
  sizeMode: 'ticket-size-mode',
  size: 'ticket-size',
  stopPercent: 'ticket-stop',
  leverage: 'ticket-leverage',
  orderType: 'ticket-type',
  price: 'ticket-price',
  postOnly: 'ticket-post-only',
  reduceOnly: 'ticket-reduce-only',
};

const PREVIEW_ROWS: Array<[keyof Preview, string]> = [
  ['quantity', 'Quantity'],
  ['price', 'Price'],
  ['notional', 'Notional (USDT)'],
  ['margin', 'Margin (USDT)'],
  ['liquidationEstimate', 'Liq. estimate'],
  ['stopPrice', 'Stop'],
];

export function createTicketView(ctx: PanelContext, root: HTMLElement, hooks: TicketHooks): TicketView {
  const symbol = h('input', {
    id: TICKET_IDS.symbol,
    type: 'text',
    list: 'ticket-symbols',
    autocomplete: 'off',
    spellcheck: 'false',
    autocapitalize: 'characters',
    maxlength: '20',
  });
  const symbols = h('datalist', { id: 'ticket-symbols' });
  const sizeMode = h('select', { id: TICKET_IDS.sizeMode });
  for (const m of sizeModes()) sizeMode.append(h('option', { value: m }, SIZE_MODE_LABEL[m]));
  const size = h('input', { id: TICKET_IDS.size, type: 'text', inputmode: 'decimal', autocomplete: 'off' });
  const sizeRow = labelled('Size', size);
  const stop = h('input', { id: TICKET_IDS.stopPercent, type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '10 (safety stop)' });
  const leverage = h('input', { id: TICKET_IDS.leverage, type: 'number', min: '1', max: '125', step: '1', inputmode: 'numeric' });
  const orderType = h('select', { id: TICKET_IDS.orderType }, h('option', { value: 'MARKET' }, 'MARKET'), h('option', { value: 'LIMIT' }, 'LIMIT'));
  const price = h('input', { id: TICKET_IDS.price, type: 'text', inputmode: 'decimal', autocomplete: 'off' });
  const priceRow = labelled('Limit price', price);
  const postOnly = h('input', { id: TICKET_IDS.postOnly, type: 'checkbox' });
  const postOnlyRow = h('div', { class: 'check' }, postOnly, h('label', { for: TICKET_IDS.postOnly }, 'Post-only (maker, GTX)'));
  const reduceOnly = h('input', { id: TICKET_IDS.reduceOnly, type: 'checkbox' });
  const confirm = h('input', { id: 'confirm-before-send', type: 'checkbox' });

  const markEl = h('span', { id: 'ticket-mark' }, '—');
  const spreadEl = h('span', { id: 'ticket-spread' }, '—');
  const balanceEl = h('span', { id: 'ticket-balance' }, '—');
  const error = h('p', { id: 'ticket-error', class: 'form-error', role: 'alert' });
  const suggestionButton = h('button', { id: 'ticket-suggestion', type: 'button', hidden: true }, '');
  const loadHint = h('p', { id: 'ticket-load-hint', class: 'muted' }, 'The ticket loads once an account is unlocked.');

  const previewCells = new Map<string, HTMLTableCellElement>();
  const previewBody = h('tbody');
  for (const [key, label] of PREVIEW_ROWS) {
    const buy = h('td', { id: `preview-buy-${key}` }, '—');
    const sell = h('td', { id: `preview-sell-${key}` }, '—');
    previewCells.set(`BUY:${key}`, buy);
    previewCells.set(`SELL:${key}`, sell);
    previewBody.append(h('tr', {}, h('th', { scope: 'row' }, label), buy, sell));
  }
  const previewTable = h(
    'table',
    { id: 'preview', class: 'preview', 'aria-live': 'off' },
    h('caption', {}, 'Before you click (estimates from the background)'),
    h('thead', {}, h('tr', {}, h('td'), h('th', { scope: 'col', class: 'buy-text' }, 'Buy'), h('th', { scope: 'col', class: 'sell-text' }, 'Sell'))),
    previewBody,
  );

  const fieldset = h(
    'fieldset',
    { id: 'ticket-fields', class: 'ticket-grid', disabled: true },
    h('legend', { class: 'visually-hidden' }, 'Order ticket'),
    h('div', { class: 'field wide' }, h('label', { for: TICKET_IDS.symbol }, 'Symbol'), symbol, symbols),
    labelled('Size mode', sizeMode),
    sizeRow,
    labelled('Stop % from entry', stop, 'Empty = 10 % safety stop.'),
    labelled('Leverage', leverage),
    labelled('Order type', orderType),
    priceRow,
    postOnlyRow,
    h('div', { class: 'check' }, reduceOnly, h('label', { for: TICKET_IDS.reduceOnly }, 'Reduce-only')),
  );

  const presetName = h('input', { id: 'preset-name', type: 'text', maxlength: '40', autocomplete: 'off' });
  const presetSelect = h('select', { id: 'preset-select' });
  const presetSave = h('button', { id: 'preset-save', type: 'button' }, 'Save preset');
  const presetLoad = h('button', { id: 'preset-load', type: 'button' }, 'Load');
  const presetDelete = h('button', { id: 'preset-delete', type: 'button' }, 'Delete');
  const presetsBox = h(
    'details',
    { id: 'presets', class: 'presets' },
    h('summary', {}, 'Presets'),
    h('div', { class: 'row' }, labelled('Name', presetName), presetSave),
    h('div', { class: 'row' }, labelled('Saved presets', presetSelect), presetLoad, presetDelete),
  );

  replaceChildren(
    root,
    h(
      'div',
      { class: 'market-line', 'aria-label': 'Market' },
      h('span', {}, 'Mark ', markEl),
      h('span', {}, 'Spread ', spreadEl),
      h('span', {}, 'Available ', balanceEl),
    ),
    loadHint,
    fieldset,
    error,
    suggestionButton,
    h('div', { class: 'check' }, confirm, h('label', { for: 'confirm-before-send' }, 'Confirm before sending')),
    previewTable,
    presetsBox,
  );

  let loaded = false;
  let touched = false;
  /** Showing a restored ticket that the live snapshot has not confirmed yet. */
  let restored = false;
  /** The live ticket replaced a restored one that differed. */
  let differed = false;
  let snapshot: TradingSnapshot | undefined;
  let current: Ticket | undefined;
  let saved: Ticket | undefined;
  let saveFailed = false;
  let env: Environment | undefined;
  let previewSeq = 0;
  const lastPreview = new Map<Side, Preview>();
  let suggestion: Record<string, string> | undefined;

  const inputs: Record<TicketField, HTMLInputElement | HTMLSelectElement> = {
    symbol,
    sizeMode,
    size,
    stopPercent: stop,
    leverage,
    orderType,
    price,
    postOnly,
    reduceOnly,
  };

  const values = (): TicketValues => ({
    symbol: symbol.value,
    sizeMode: sizeMode.value,
    size: size.value,
    stopPercent: stop.value,
    leverage: leverage.value,
    orderType: orderType.value,
    price: price.value,
    postOnly: postOnly.checked,
    reduceOnly: reduceOnly.checked,
  });

  const write = (v: TicketValues): void => {
    symbol.value = v.symbol;
    sizeMode.value = v.sizeMode;
    size.value = v.size;
    stop.value = v.stopPercent;
    leverage.value = v.leverage;
    orderType.value = v.orderType;
    price.value = v.price;
    postOnly.checked = v.postOnly;
    reduceOnly.checked = v.reduceOnly;
    syncLayout();
  };

  function syncLayout(): void {
    const limit = orderType.value === 'LIMIT';
    priceRow.hidden = !limit;
    postOnlyRow.hidden = !limit;
    const label = sizeRow.querySelector('label');
    if (label !== null) label.textContent = sizeUnit(sizeMode.value, symbol.value.trim().toUpperCase());
  }

  const clearInvalid = (): void => {
    for (const input of Object.values(inputs)) input.removeAttribute('aria-invalid');
  };

  function showError(message: string, field?: TicketField, offer?: Record<string, string>): void {
    clearInvalid();
    error.textContent = message;
    if (field !== undefined) inputs[field].setAttribute('aria-invalid', 'true');
    suggestion = offer !== undefined && Object.keys(offer).length > 0 ? offer : undefined;
    suggestionButton.hidden = suggestion === undefined;
    if (suggestion !== undefined) suggestionButton.textContent = `Use ${describeSuggestion(suggestion)}`;
  }

  function clearError(): void {
    clearInvalid();
    error.textContent = '';
    suggestion = undefined;
    suggestionButton.hidden = true;
  }

  const showAppError = (e: AppError, prefix = ''): void => showError(`${prefix}${e.message}`, undefined, e.suggestion);

  const save = debounce(async () => {
    const ticket = current;
    if (ticket === undefined) return;
    const r = await ctx.request({ type: 'ticket.set', ticket });
    if (!r.ok) {
      saveFailed = true;
      showAppError(r.error, 'Not saved (hotkeys still place the last saved ticket): ');
      return;
    }
    saveFailed = false;
    saved = r.value;
    hooks.onSaved();
    refreshPreview();
  }, 150);

  function renderPreview(side: Side, p: Preview | undefined): void {
    for (const [key] of PREVIEW_ROWS) {
      const cell = previewCells.get(`${side}:${key}`);
      if (cell !== undefined) cell.textContent = p === undefined ? '—' : plain(p[key]);
    }
  }

  function refreshPreview(): void {
    const ticket = current;
    if (ticket === undefined || !loaded) return;
    const seq = ++previewSeq;
    void Promise.all(
      (['BUY', 'SELL'] as const).map(async (side) => [side, await ctx.request({ type: 'ticket.preview', ticket, side })] as const),
    ).then((answers) => {
      if (seq !== previewSeq) return; // a newer edit or mark already asked again
      let firstError: AppError | undefined;
      for (const [side, r] of answers) {
        if (r.ok) lastPreview.set(side, r.value);
        else {
          lastPreview.delete(side);
          firstError ??= r.error;
        }
        renderPreview(side, r.ok ? r.value : undefined);
      }
      if (firstError !== undefined) showAppError(firstError);
      else if (!saveFailed) clearError();
    });
  }
  const previewOnMark = throttle(refreshPreview, 1000);

  let lastSymbol = '';
  function onEdit(): void {
    touched = true;
    syncLayout();
    const sym = symbol.value.trim().toUpperCase();
    if (sym !== lastSymbol) {
      lastSymbol = sym;
      showMarket();
      hooks.onSymbol(sym);
    }
    const contract = contractNow();
    if (contract === undefined) {
      // An edit in the first moments after a restore: judged as soon as the contract is here.
      void loadContract().then(onEdit);
      return;
    }
    const check = valuesToTicket(values(), contract.TicketSchema);
    if (!check.ok) {
      current = undefined;
      save.cancel();
      showError(`${check.message} (Hotkeys still place the last saved ticket.)`, check.field);
      lastPreview.clear();
      renderPreview('BUY', undefined);
      renderPreview('SELL', undefined);
      return;
    }
    clearError();
    current = check.ticket;
    save.schedule();
  }
  fieldset.addEventListener('input', onEdit);
  fieldset.addEventListener('change', onEdit);

  suggestionButton.addEventListener('click', () => {
    if (suggestion === undefined) return;
    write(applySuggestion(values(), suggestion));
    onEdit();
  });

  function showMarket(): void {
    const sym = symbol.value.trim().toUpperCase();
    const mark = snapshot?.marks[sym];
    markEl.textContent = mark === undefined ? '—' : plain(mark);
    const book = snapshot?.book[sym];
    spreadEl.textContent = book === undefined ? '—' : (formatSpread(book.bid, book.ask) ?? '—');
    balanceEl.textContent = snapshot === undefined ? '—' : `${fixed(snapshot.availableBalance, 2)} USDT`;
  }

  // Presets: a panel-only convenience, stored in localStorage and parsed on every read. Their module needs the
  // contract, so the list fills in after the first paint; the buttons wait for it.
  let presetsModule: Promise<typeof import('../presets.ts')> | undefined;
  const presets = (): Promise<typeof import('../presets.ts')> => {
    if (presetsModule === undefined) {
      presetsModule = import('../presets.ts');
      void presetsModule.then((m) => {
        presetList = m.loadPresets(ctx.store);
        renderPresets();
      });
    }
    return presetsModule;
  };
  let presetList: Preset[] = [];
  const renderPresets = (): void => {
    replaceChildren(presetSelect, ...presetList.map((p) => h('option', { value: p.name }, p.name)));
    presetLoad.disabled = presetList.length === 0;
    presetDelete.disabled = presetList.length === 0;
  };
  renderPresets();
  // The list fills in when the trader opens it (or once the live ticket is here, whichever is first).
  presetsBox.addEventListener('toggle', () => void presets());
  presetSave.addEventListener('click', () => {
    void Promise.all([presets(), loadContract()]).then(([m, contract]) => {
      const name = presetName.value.trim();
      const check = valuesToTicket(values(), contract.TicketSchema);
      if (name === '') return ctx.status.show('Name the preset first.', true);
      if (!check.ok) return ctx.status.show(`Fix the ticket before saving it: ${check.message}`, true);
      presetList = m.upsertPreset(presetList, name, check.ticket);
      m.savePresets(ctx.store, presetList);
      renderPresets();
      presetSelect.value = name;
      ctx.status.show(`Preset “${name}” saved.`);
    });
  });
  presetLoad.addEventListener('click', () => {
    const preset = presetList.find((p) => p.name === presetSelect.value);
    if (preset === undefined || !loaded) return;
    write(ticketToValues(preset.ticket));
    onEdit();
    ctx.status.show(`Preset “${preset.name}” loaded.`);
  });
  presetDelete.addEventListener('click', () => {
    void presets().then((m) => {
      const name = presetSelect.value;
      presetList = m.removePreset(presetList, name);
      m.savePresets(ctx.store, presetList);
      renderPresets();
      ctx.status.show(`Preset “${name}” deleted.`);
    });
  });

  confirm.addEventListener('change', () => {
    if (env !== undefined) saveConfirm(ctx.store, env, confirm.checked);
  });

  function enable(): void {
    if (loaded) return;
    loaded = true;
    fieldset.disabled = false;
    loadHint.hidden = true;
  }

  return {
    load(ticket) {
      saved = ticket;
      const wasRestored = restored;
      restored = false;
      if (touched) return;
      const live = ticketToValues(ticket);
      if (wasRestored && !sameValues(values(), live)) differed = true;
      write(live);
      current = ticket;
      enable();
      void presets();
      lastSymbol = ticket.symbol;
      showMarket();
      hooks.onSymbol(ticket.symbol);
      refreshPreview();
    },
    restore(v) {
      if (loaded) return;
      restored = true;
      write(v);
      enable();
      lastSymbol = symbol.value.trim().toUpperCase();
      hooks.onSymbol(lastSymbol);
    },
    liveDiffered: () => differed,
    savedValues: () => (saved === undefined ? undefined : ticketToValues(saved)),
    market(s) {
      snapshot = s;
      const known = new Set(Array.from(symbols.options, (o) => o.value));
      if (known.size !== s.symbols.length || s.symbols.some((x) => !known.has(x))) {
        replaceChildren(symbols, ...s.symbols.map((x) => h('option', { value: x })));
      }
      showMarket();
    },
    mark(sym, value) {
      if (snapshot !== undefined) snapshot = { ...snapshot, marks: { ...snapshot.marks, [sym]: value } };
      if (sym !== symbol.value.trim().toUpperCase()) return;
      markEl.textContent = plain(value);
      previewOnMark();
    },
    symbol: () => symbol.value.trim().toUpperCase(),
    setEnvironment(next) {
      env = next;
      confirm.checked = next === undefined ? false : loadConfirm(ctx.store, next);
    },
    confirmRequired: () => confirm.checked,
    async readyToSend() {
      if (!loaded) return true; // nothing loaded: the background answers (not set up, locked) on its own
      const contract = await loadContract();
      const check = valuesToTicket(values(), contract.TicketSchema);
      if (!check.ok) {
        showError(check.message, check.field);
        inputs[check.field].focus();
        ctx.status.show(`Not sent: ${check.message}`, true);
        return false;
      }
      current = check.ticket;
      if (save.pending || saved === undefined || !sameTicket(saved, current)) {
        if (!save.pending) save.schedule();
        await save.flush();
      }
      if (saveFailed) {
        ctx.status.show(`Not sent: ${error.textContent ?? 'the ticket was refused.'}`, true);
        return false;
      }
      return true;
    },
    describe(side) {
      const p = lastPreview.get(side);
      const t = current;
      if (t === undefined) return `${side} with the saved ticket`;
      const what = p !== undefined ? `${plain(p.quantity)} ${t.symbol}` : `${t.size} (${SIZE_MODE_LABEL[t.sizeMode]}) ${t.symbol}`;
      const at = t.orderType === 'LIMIT' ? ` @ ${t.price ?? '?'}` : '';
      const extra = p !== undefined ? ` · notional ${fixed(p.notional, 2)} USDT · stop ${plain(p.stopPrice)}` : '';
      return `${side} ${what} ${t.orderType}${at} · ${t.leverage}×${extra}`;
    },
  };
}
