// @vitest-environment happy-dom
/**
 * The views' DOM glue against a fake requester: what a trader's input turns into on the wire, and what the panel
 * shows back. The real background and browser are the e2e suite's job.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Request, Ticket, TradingSnapshot, VaultStatus } from '../../src/shared/messages.ts';
import { err, ok, type Result } from '../../src/shared/result.ts';
import type { PanelContext, Requester } from '../../src/sidepanel/context.ts';
import { statusSink } from '../../src/sidepanel/context.ts';
import { createVaultView } from '../../src/sidepanel/views/vault.ts';
import { createTicketView, type TicketView } from '../../src/sidepanel/views/ticket.ts';
import { createPositionsView } from '../../src/sidepanel/views/positions.ts';
import { createActionBar } from '../../src/sidepanel/views/action-bar.ts';
import { loadContract } from '../../src/sidepanel/contract.ts';

const NOW = 1_700_000_000_000;

function harness(answer: (req: Request) => Result<unknown>) {
  const calls: Request[] = [];
  const request = (async (req: Request) => {
    calls.push(req);
    return answer(req);
  }) as unknown as Requester;
  const line = document.createElement('p');
  const data = new Map<string, string>();
  const ctx: PanelContext = {
    request,
    status: statusSink(line),
    store: { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) },
    now: () => NOW,
  };
  return { calls, ctx, line };
}

const vault = (patch: Partial<VaultStatus> = {}): VaultStatus => ({ profiles: [], unlocked: false, autoLockMinutes: 15, retryAfterMs: 0, ...patch });
const profile = { id: 'p1', name: 'Demo', environment: 'demo' as const, keyType: 'hmac' as const, apiKeyMasked: 'abcd…wxyz' };

const $ = <T extends HTMLElement>(sel: string): T => {
  const node = document.querySelector<T>(sel);
  if (node === null) throw new Error(`missing ${sel}`);
  return node;
};
const type = (sel: string, value: string): void => {
  const input = $<HTMLInputElement>(sel);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
};
const choose = (sel: string, value: string): void => {
  const select = $<HTMLSelectElement>(sel);
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
};
const submit = (sel: string): void => void $<HTMLFormElement>(sel).dispatchEvent(new Event('submit', { cancelable: true }));

afterEach(() => {
  document.body.replaceChildren();
  vi.useRealTimers();
});

describe('vault card', () => {
  it('sets up a profile: mainnet asks for the tick, a repeated password must match, then it sends vault.setup', async () => {
    const unlocked = vault({ profiles: [profile], unlocked: true, activeProfileId: 'p1' });
    const { calls, ctx } = harness(() => ok(unlocked));
    const root = document.body.appendChild(document.createElement('section'));
    const onVault = vi.fn();
    createVaultView(ctx, root, { onVault, openSettings: () => undefined }).render(vault());

    expect($('#setup-mainnet-row').hidden).toBe(true);
    choose('#setup-env', 'mainnet');
    expect($('#setup-mainnet-row').hidden).toBe(false);
    type('#setup-name', 'Main');
    type('#setup-api-key', 'KEY');
    type('#setup-secret', 'SECRET');
    type('#setup-password', 'longenough');
    type('#setup-password2', 'longenough');
    submit('#setup-form');
    expect($('#setup-error').textContent).toMatch(/real money/);
    expect($('#setup-mainnet-confirm').getAttribute('aria-invalid')).toBe('true');

    $<HTMLInputElement>('#setup-mainnet-confirm').checked = true;
    type('#setup-password2', 'longenougH');
    submit('#setup-form');
    expect($('#setup-error').textContent).toMatch(/differ/);
    expect(calls).toEqual([]);

    type('#setup-password2', 'longenough');
    submit('#setup-form');
    await vi.waitFor(() => expect(onVault).toHaveBeenCalledWith(unlocked));
    expect(calls).toEqual([
      {
        type: 'vault.setup',
        name: 'Main',
        environment: 'mainnet',
        confirmMainnet: true,
        credentials: { kind: 'hmac', apiKey: 'KEY', secret: 'SECRET' },
        password: 'longenough',
      },
    ]);
    expect($<HTMLInputElement>('#setup-password').value).toBe('');
  });

  it('generates an Ed25519 pair and submits only the API key Binance gave', async () => {
    const { calls, ctx } = harness((req) => (req.type === 'vault.generateEd25519' ? ok({ publicKeyPem: 'PUBLIC PEM' }) : err('VAULT_BAD_KEY', 'Binance does not know this API key.')));
    const root = document.body.appendChild(document.createElement('section'));
    createVaultView(ctx, root, { onVault: () => undefined, openSettings: () => undefined }).render(vault());
    $<HTMLInputElement>('#setup-kind-generated').click();
    expect($('#setup-generated-block').hidden).toBe(false);
    expect($('#setup-secret').closest('.field')?.hasAttribute('hidden')).toBe(true);
    $<HTMLButtonElement>('#setup-generate').click();
    await vi.waitFor(() => expect($<HTMLTextAreaElement>('#setup-public-pem').value).toBe('PUBLIC PEM'));
    expect($<HTMLTextAreaElement>('#setup-public-pem').readOnly).toBe(true);
    type('#setup-name', 'Gen');
    type('#setup-api-key', 'APIKEY');
    type('#setup-password', 'longenough');
    type('#setup-password2', 'longenough');
    submit('#setup-form');
    await vi.waitFor(() => expect($('#setup-error').textContent).toBe('Binance does not know this API key.'));
    expect(calls[1]).toMatchObject({ type: 'vault.setup', credentials: { kind: 'ed25519-generated', apiKey: 'APIKEY' } });
  });

  it('offers the paper account in one step', async () => {
    const { calls, ctx } = harness(() => ok(vault({ profiles: [profile], unlocked: true, activeProfileId: 'p1' })));
    const root = document.body.appendChild(document.createElement('section'));
    createVaultView(ctx, root, { onVault: () => undefined, openSettings: () => undefined }).render(
      vault({ prefill: { environment: 'local', apiKeyMasked: 'abcd…wxyz' } }),
    );
    expect($('#prefill-submit').textContent).toBe('Use the local paper account (key abcd…wxyz)');
    type('#prefill-password', 'paperpass');
    type('#prefill-password2', 'paperpass');
    submit('#prefill-form');
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toMatchObject({ type: 'vault.setup', environment: 'local', credentials: { kind: 'prefill' } });
  });

  it('unlocks, and after a refusal shows the message and counts down the wait', async () => {
    const locked = vault({ profiles: [profile], activeProfileId: 'p1' });
    const { calls, ctx } = harness((req) =>
      req.type === 'vault.unlock' ? err('VAULT_BAD_PASSWORD', 'Wrong password.') : ok({ ...locked, retryAfterMs: 12_000 }),
    );
    const root = document.body.appendChild(document.createElement('section'));
    const view = createVaultView(ctx, root, { onVault: () => undefined, openSettings: () => undefined });
    view.render(locked);
    expect($('#unlock-profile').textContent).toContain('Demo · DEMO · abcd…wxyz');
    type('#unlock-password', 'guess');
    submit('#unlock-form');
    expect($('#unlock-progress').textContent).toBe('Deriving key…');
    expect($<HTMLInputElement>('#unlock-password').value).toBe('');
    await vi.waitFor(() => expect($('#unlock-submit').textContent).toBe('Unlock (retry in 12 s)'));
    expect($<HTMLButtonElement>('#unlock-submit').disabled).toBe(true);
    expect($('#unlock-error').textContent).toBe('Wrong password.');
    expect(calls.map((c) => c.type)).toEqual(['vault.unlock', 'vault.status']);
    expect(calls[0]).toEqual({ type: 'vault.unlock', profileId: 'p1', password: 'guess' });
    view.render(locked);
    expect($<HTMLButtonElement>('#unlock-submit').disabled).toBe(false);
  });

  it('shows the unlocked profile with its environment and locks', async () => {
    const { calls, ctx } = harness(() => ok(vault({ profiles: [profile] })));
    const root = document.body.appendChild(document.createElement('section'));
    const onVault = vi.fn();
    createVaultView(ctx, root, { onVault, openSettings: () => undefined }).render(
      vault({ profiles: [{ ...profile, environment: 'mainnet' }], unlocked: true, activeProfileId: 'p1' }),
    );
    expect($('#vault-profile').textContent).toBe('Demo');
    expect($('#vault-env').textContent).toBe('MAINNET');
    expect($('#vault-autolock').textContent).toBe('auto-lock after 15 min');
    $<HTMLButtonElement>('#lock').click();
    await vi.waitFor(() => expect(onVault).toHaveBeenCalled());
    expect(calls).toEqual([{ type: 'vault.lock' }]);
  });
});

const savedTicket: Ticket = { symbol: 'BTCUSDT', sizeMode: 'quantity', size: '0.01', leverage: 10, orderType: 'MARKET', postOnly: false, reduceOnly: false };
const preview = (side: 'BUY' | 'SELL') => ({
  symbol: 'BTCUSDT',
  side,
  quantity: '0.02',
  price: '50000',
  notional: '1000',
  margin: '100',
  liquidationEstimate: side === 'BUY' ? '45500' : '54500',
  stopPrice: side === 'BUY' ? '45000' : '55000',
});

describe('order ticket', () => {
  // The view validates with the contract, which the panel loads after its first paint.
  beforeAll(async () => {
    await loadContract();
  });
  function mountTicket(answer: (req: Request) => Result<unknown>) {
    const h = harness(answer);
    const root = document.body.appendChild(document.createElement('section'));
    const onSaved = vi.fn();
    const view = createTicketView(h.ctx, root, { onSymbol: () => undefined, onSaved });
    return { ...h, view, onSaved };
  }
  const backend = (req: Request): Result<unknown> => {
    if (req.type === 'ticket.set') return ok(req.ticket);
    if (req.type === 'ticket.preview') return ok(preview(req.side));
    return err('INTERNAL', 'unexpected');
  };

  it('stays disabled until a saved ticket loads, then fills every field and previews both sides', async () => {
    const { view, calls } = mountTicket(backend);
    expect($<HTMLFieldSetElement>('#ticket-fields').disabled).toBe(true);
    view.load({ ...savedTicket, orderType: 'LIMIT', price: '49000', stopPercent: '1.5' });
    expect($<HTMLFieldSetElement>('#ticket-fields').disabled).toBe(false);
    expect($<HTMLInputElement>('#ticket-symbol').value).toBe('BTCUSDT');
    expect($<HTMLInputElement>('#ticket-price').value).toBe('49000');
    expect($<HTMLInputElement>('#ticket-stop').value).toBe('1.5');
    expect($('#ticket-price').closest('.field')?.hasAttribute('hidden')).toBe(false);
    await vi.waitFor(() => expect($('#preview-sell-stopPrice').textContent).toBe('55000'));
    expect($('#preview-buy-liquidationEstimate').textContent).toBe('45500');
    expect(calls.map((c) => c.type)).toEqual(['ticket.preview', 'ticket.preview']);
  });

  it('saves an edit after 150 ms of quiet, once, and refuses to save an invalid one', async () => {
    vi.useFakeTimers();
    const { view, calls, onSaved } = mountTicket(backend);
    view.load(savedTicket);
    calls.length = 0;
    type('#ticket-size', '0.0');
    expect($('#ticket-error').textContent).toMatch(/above zero/);
    expect($('#ticket-size').getAttribute('aria-invalid')).toBe('true');
    type('#ticket-size', '0.02');
    type('#ticket-size', '0.03');
    await vi.advanceTimersByTimeAsync(149);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls[0]).toEqual({ type: 'ticket.set', ticket: { ...savedTicket, size: '0.03' } });
    expect(calls.filter((c) => c.type === 'ticket.set')).toHaveLength(1);
    expect($('#ticket-error').textContent).toBe('');
    // The next panel opens on the ticket just saved, not on the one the last snapshot carried.
    expect(view.savedValues()?.size).toBe('0.03');
    expect(onSaved).toHaveBeenCalledTimes(1);
  });

  it('flushes a pending edit before a click, and blocks a click on an invalid ticket', async () => {
    vi.useFakeTimers();
    const { view, calls, line } = mountTicket(backend);
    view.load(savedTicket);
    type('#ticket-leverage', '20');
    await expect(view.readyToSend()).resolves.toBe(true);
    expect(calls.find((c) => c.type === 'ticket.set')).toEqual({ type: 'ticket.set', ticket: { ...savedTicket, leverage: 20 } });
    type('#ticket-leverage', '500');
    await expect(view.readyToSend()).resolves.toBe(false);
    expect(line.textContent).toMatch(/^Not sent: Leverage/);
  });

  it('shows the background’s refusal with its suggestion, and applies it on request', async () => {
    vi.useFakeTimers();
    const { view, calls, onSaved } = mountTicket((req) => {
      if (req.type === 'ticket.set' && req.ticket.size === '0.0001') return err('VALIDATION', 'Quantity 0.0001 is below the minimum 0.001.', { suggestion: { size: '0.001' } });
      return backend(req);
    });
    view.load(savedTicket);
    type('#ticket-size', '0.0001');
    await vi.advanceTimersByTimeAsync(150);
    expect($('#ticket-error').textContent).toContain('Quantity 0.0001 is below the minimum 0.001.');
    expect($('#ticket-suggestion').hidden).toBe(false);
    expect($('#ticket-suggestion').textContent).toBe('Use size 0.001');
    expect(onSaved).not.toHaveBeenCalled();
    expect(view.savedValues()?.size).toBe('0.01');
    await expect(view.readyToSend()).resolves.toBe(false);
    $<HTMLButtonElement>('#ticket-suggestion').click();
    expect($<HTMLInputElement>('#ticket-size').value).toBe('0.001');
    await vi.advanceTimersByTimeAsync(150);
    expect(calls.filter((c) => c.type === 'ticket.set').at(-1)).toEqual({ type: 'ticket.set', ticket: { ...savedTicket, size: '0.001' } });
  });

  it('takes a restored ticket at once, and says when the live ticket that replaced it differed', async () => {
    const { view, calls } = mountTicket(backend);
    view.restore({ symbol: 'BTCUSDT', sizeMode: 'quantity', size: '0.05', stopPercent: '', leverage: '10', orderType: 'MARKET', price: '', postOnly: false, reduceOnly: false });
    expect($<HTMLFieldSetElement>('#ticket-fields').disabled).toBe(false);
    expect($<HTMLInputElement>('#ticket-size').value).toBe('0.05');
    expect(view.savedValues()).toBeUndefined();
    // The background's saved ticket is 0.01: the form takes it, and says so (the shell refuses a click made before).
    view.load(savedTicket);
    expect($<HTMLInputElement>('#ticket-size').value).toBe('0.01');
    expect(view.liveDiffered()).toBe(true);
    expect(view.savedValues()?.size).toBe('0.01');
    await expect(view.readyToSend()).resolves.toBe(true);
    expect(calls.filter((c) => c.type === 'ticket.set')).toEqual([]);
  });

  it('a restored ticket that the live one confirms sends without a detour; an edit made on it is what is saved', async () => {
    const { view, calls } = mountTicket(backend);
    view.restore({ symbol: 'BTCUSDT', sizeMode: 'quantity', size: '0.01', stopPercent: '', leverage: '10', orderType: 'MARKET', price: '', postOnly: false, reduceOnly: false });
    type('#ticket-size', '0.03');
    view.load(savedTicket);
    expect($<HTMLInputElement>('#ticket-size').value).toBe('0.03');
    expect(view.liveDiffered()).toBe(false);
    await expect(view.readyToSend()).resolves.toBe(true);
    expect(calls.find((c) => c.type === 'ticket.set')).toEqual({ type: 'ticket.set', ticket: { ...savedTicket, size: '0.03' } });
  });

  it('shows mark and spread of the symbol in view and keeps the confirm choice per environment', () => {
    const { view, ctx } = mountTicket(backend);
    view.load(savedTicket);
    view.market(snapshot());
    expect($('#ticket-mark').textContent).toBe('50000');
    expect($('#ticket-spread').textContent).toBe('0.1 · 0.02 bps');
    expect($('#ticket-balance').textContent).toBe('1000.00 USDT');
    expect($('#ticket-symbols').children).toHaveLength(2);
    view.mark('BTCUSDT', '50001.5');
    expect($('#ticket-mark').textContent).toBe('50001.5');
    view.setEnvironment('mainnet');
    expect(view.confirmRequired()).toBe(true);
    $<HTMLInputElement>('#confirm-before-send').click();
    expect(view.confirmRequired()).toBe(false);
    view.setEnvironment('demo');
    expect(view.confirmRequired()).toBe(false);
    view.setEnvironment('mainnet');
    expect(view.confirmRequired()).toBe(false);
    expect(ctx.store.getItem('strike.confirm.v1.mainnet')).toBe('false');
  });
});

function snapshot(patch: Partial<TradingSnapshot> = {}): TradingSnapshot {
  return {
    ticket: savedTicket,
    symbols: ['BTCUSDT', 'ETHUSDT'],
    marks: { BTCUSDT: '50000' },
    book: { BTCUSDT: { bid: '50000', ask: '50000.1' } },
    availableBalance: '1000',
    positions: [],
    orders: [],
    connection: { rest: 'ok', wsApi: 'up', market: 'up', user: 'up', clockOffsetMs: 1, rttMs: 2 },
    ...patch,
  };
}

const withPosition = () =>
  snapshot({
    positions: [
      {
        symbol: 'BTCUSDT',
        positionSide: 'BOTH',
        amount: '-0.01',
        entryPrice: '50000',
        markPrice: '49900',
        unrealizedPnl: '1',
        pnlPercent: '0.2',
        roePercent: '2',
        liquidationPrice: '54500',
        leverage: 10,
        stopPrice: '51000',
        activeTier: 0,
        nextTierPrice: '49500',
        unprotectedMs: 85,
      },
    ],
    orders: [
      { symbol: 'BTCUSDT', kind: 'algo', clientId: 'stk-stop-1', side: 'BUY', type: 'STOP_MARKET', quantity: '0.01', price: '51000', status: 'NEW', protective: true },
    ],
  });

describe('positions and orders', () => {
  it('renders one row per position with a Close button that sends position.close', async () => {
    const { calls, ctx, line } = harness(() => ok({ clientOrderId: 'close-1' }));
    const root = document.body.appendChild(document.createElement('section'));
    const view = createPositionsView(ctx, root);
    view.render(withPosition());
    const row = $('#pos-BTCUSDT-BOTH');
    expect(row.textContent).toContain('SHORT 0.01 · 10×');
    expect(row.textContent).toContain('+1.00 USDT');
    expect(row.textContent).toContain('tier 1 active · next at 49500');
    expect(row.textContent).toContain('unprotected for 85 ms');
    expect($('#close-BTCUSDT-BOTH').getAttribute('aria-label')).toBe('Close BTCUSDT SHORT position');
    $<HTMLButtonElement>('#close-BTCUSDT-BOTH').click();
    await vi.waitFor(() => expect(line.textContent).toContain('close-1'));
    expect(calls).toEqual([{ type: 'position.close', symbol: 'BTCUSDT', positionSide: 'BOTH' }]);
    expect($('#order-stk-stop-1').textContent).toContain('protective (ours)');
    view.render(undefined);
    expect($('#positions-empty').hidden).toBe(false);
    expect($<HTMLButtonElement>('#cancel-all').disabled).toBe(true);
  });

  it('cancels one order by its client id and kind', async () => {
    const { calls, ctx } = harness(() => ok({ canceled: true }));
    const root = document.body.appendChild(document.createElement('section'));
    createPositionsView(ctx, root).render(withPosition());
    $<HTMLButtonElement>('#cancel-stk-stop-1').click();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toEqual({ type: 'order.cancel', symbol: 'BTCUSDT', kind: 'algo', clientId: 'stk-stop-1' });
  });
});

describe('action bar in the real panel markup', () => {
  beforeEach(() => {
    const html = readFileSync(resolve(import.meta.dirname, '../../src/sidepanel/index.html'), 'utf8');
    const body = /<body>([\s\S]*)<\/body>/.exec(html)?.[1] ?? '';
    // Our own static markup, parsed only to stand up the real ids for this test.
    document.body.innerHTML = body.replace(/<script[\s\S]*?<\/script>/g, '');
  });

  const ack = { intentId: 'i1', clientOrderId: 'c1', side: 'BUY', symbol: 'BTCUSDT', quantity: '0.01', status: 'FILLED', via: 'ws', latency: { signedMs: 0.3, sentMs: 0.8, ackMs: 4.6 } };

  function stubTicket(confirm: boolean): TicketView {
    return {
      load: () => undefined,
      restore: () => undefined,
      liveDiffered: () => false,
      savedValues: () => undefined,
      market: () => undefined,
      mark: () => undefined,
      symbol: () => 'BTCUSDT',
      setEnvironment: () => undefined,
      confirmRequired: () => confirm,
      readyToSend: async () => true,
      describe: (side) => `${side} 0.01 BTCUSDT MARKET`,
    };
  }

  it('has exactly one button named BUY and one named SELL, even with positions and orders rendered', () => {
    const { ctx } = harness(() => ok({}));
    createPositionsView(ctx, $('#panel-positions')).render(withPosition());
    const names = Array.from(document.querySelectorAll('button'), (b) => (b.getAttribute('aria-label') ?? b.textContent ?? '').toLowerCase());
    expect(names.filter((n) => n.includes('buy'))).toEqual(['buy']);
    expect(names.filter((n) => n.includes('sell'))).toEqual(['sell']);
  });

  it('sends BUY at the click time and shows the ack and its latency', async () => {
    const { calls, ctx } = harness(() => ok(ack));
    ctx.status.show('');
    const bar = createActionBar({ ...ctx, status: statusSink($('#status')) }, stubTicket(false));
    bar.vault(vault({ profiles: [profile], unlocked: true, activeProfileId: 'p1' }));
    bar.trading(withPosition());
    expect($('#bar-position').textContent).toBe('BTCUSDT SHORT 0.01 · +1.00 USDT (+0.20 %)');
    expect($('#bar-conn').textContent).toBe('● live');
    $<HTMLButtonElement>('#buy').click();
    await vi.waitFor(() => expect($('#status').textContent).toBe('BUY 0.01 BTCUSDT FILLED via WS · ack 4.6 ms (signed 0.3 ms, sent 0.8 ms)'));
    expect(calls).toEqual([{ type: 'order.submit', side: 'BUY', source: 'panel', inputAtMs: NOW }]);
    expect($('#bar-latency').textContent).toBe('last 4.6 ms');
  });

  it('holds a click until the guard answers: refused, nothing is sent; allowed, it goes once at the click time', async () => {
    const { calls, ctx } = harness(() => ok(ack));
    let open: (allow: boolean) => void = () => undefined;
    const guard = () => new Promise<boolean>((resolve) => (open = resolve));
    createActionBar({ ...ctx, status: statusSink($('#status')) }, stubTicket(false), guard);
    $<HTMLButtonElement>('#buy').click();
    // Busy but still focusable (aria-disabled, not disabled); a second press while held does nothing.
    expect($('#buy').getAttribute('aria-disabled')).toBe('true');
    expect($<HTMLButtonElement>('#buy').disabled).toBe(false);
    $<HTMLButtonElement>('#buy').click();
    open(false);
    await vi.waitFor(() => expect($('#buy').hasAttribute('aria-disabled')).toBe(false));
    expect(calls).toEqual([]);
    $<HTMLButtonElement>('#buy').click();
    open(true);
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toEqual({ type: 'order.submit', side: 'BUY', source: 'panel', inputAtMs: NOW });
  });

  it('asks first when confirmation is on, and Back sends nothing', async () => {
    const { calls, ctx } = harness(() => ok(ack));
    createActionBar({ ...ctx, status: statusSink($('#status')) }, stubTicket(true));
    $<HTMLButtonElement>('#sell').click();
    await vi.waitFor(() => expect($('#confirm-card').hidden).toBe(false));
    expect($('#confirm-text').textContent).toBe('Send SELL 0.01 BTCUSDT MARKET?');
    $<HTMLButtonElement>('#confirm-back').click();
    expect($('#confirm-card').hidden).toBe(true);
    expect(calls).toEqual([]);
    $<HTMLButtonElement>('#sell').click();
    await vi.waitFor(() => expect($('#confirm-card').hidden).toBe(false));
    $<HTMLButtonElement>('#confirm-send').click();
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toMatchObject({ type: 'order.submit', side: 'SELL', source: 'panel' });
  });

  it('flattens with one click and reports what it did, or the error', async () => {
    let fail = false;
    const { calls, ctx } = harness(() => (fail ? err('EXCHANGE', 'Exchange refused: -1003 too many requests.') : ok({ canceledOrders: 2, closedPositions: 1 })));
    createActionBar({ ...ctx, status: statusSink($('#status')) }, stubTicket(false));
    $<HTMLButtonElement>('#flatten').click();
    await vi.waitFor(() => expect($('#status').textContent).toBe('Flattened: 1 position closed, 2 orders canceled.'));
    expect(calls[0]).toEqual({ type: 'flatten', source: 'panel', inputAtMs: NOW });
    fail = true;
    $<HTMLButtonElement>('#flatten').click();
    await vi.waitFor(() => expect($('#status').classList.contains('error')).toBe(true));
    expect($('#status').textContent).toBe('Exchange refused: -1003 too many requests.');
  });
});
