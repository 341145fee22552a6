// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { confirmDefault, loadConfirm, saveConfirm, type KeyValueStore } from '../../src/sidepanel/preferences.ts';
import { BOOT_KEY, readBootState, writeBootState, type BootState } from '../../src/sidepanel/boot-state.ts';
import { loadPresets, MAX_PRESETS, parsePresets, PRESETS_KEY, removePreset, savePresets, upsertPreset } from '../../src/sidepanel/presets.ts';
import type { Ticket } from '../../src/shared/messages.ts';

const ticket: Ticket = { symbol: 'BTCUSDT', sizeMode: 'quantity', size: '0.01', leverage: 5, orderType: 'MARKET', postOnly: false, reduceOnly: false };

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('presets in localStorage', () => {
  it.each([null, '', 'not json', '{"name":"x"}', '42', 'null'])('reads %j as no presets', (raw) => {
    expect(parsePresets(raw)).toEqual([]);
  });

  it('keeps the valid presets of a list with bad neighbours and duplicates', () => {
    const raw = JSON.stringify([
      { name: 'scalp', ticket },
      { name: 'old', ticket: { ...ticket, legacyField: 1 } },
      { name: 'bad lev', ticket: { ...ticket, leverage: 500 } },
      { name: 'scalp', ticket: { ...ticket, size: '9' } },
      'junk',
    ]);
    expect(parsePresets(raw)).toEqual([{ name: 'scalp', ticket }]);
  });

  it('adds, replaces by name, sorts and removes', () => {
    let list = upsertPreset([], 'swing', ticket);
    list = upsertPreset(list, 'alpha', { ...ticket, size: '1' });
    list = upsertPreset(list, 'swing', { ...ticket, size: '2' });
    expect(list.map((p) => [p.name, p.ticket.size])).toEqual([
      ['alpha', '1'],
      ['swing', '2'],
    ]);
    expect(removePreset(list, 'alpha').map((p) => p.name)).toEqual(['swing']);
    expect(() => upsertPreset(list, '   ', ticket)).toThrow();
  });

  it('round-trips through a store and caps the count', () => {
    const store = memoryStore();
    let list = upsertPreset([], 'a', ticket);
    savePresets(store, list);
    expect(loadPresets(store)).toEqual(list);
    for (let i = 0; i < MAX_PRESETS + 5; i++) list = upsertPreset(list, `p${String(i).padStart(3, '0')}`, ticket);
    savePresets(store, list);
    expect(loadPresets(store)).toHaveLength(MAX_PRESETS);
    expect(store.data.has(PRESETS_KEY)).toBe(true);
  });
});

describe('confirm before sending', () => {
  it('defaults on for mainnet only', () => {
    expect(confirmDefault('mainnet')).toBe(true);
    expect(confirmDefault('demo')).toBe(false);
    expect(confirmDefault('local')).toBe(false);
  });

  it('is stored per environment and survives garbage', () => {
    const store = memoryStore();
    expect(loadConfirm(store, 'mainnet')).toBe(true);
    saveConfirm(store, 'mainnet', false);
    saveConfirm(store, 'demo', true);
    expect(loadConfirm(store, 'mainnet')).toBe(false);
    expect(loadConfirm(store, 'demo')).toBe(true);
    expect(loadConfirm(store, 'local')).toBe(false);
    store.setItem('strike.confirm.v1.mainnet', '"yes"');
    expect(loadConfirm(store, 'mainnet')).toBe(true);
  });
});

describe('boot state (the last known state a new panel paints first)', () => {
  const state: BootState = {
    minimized: true,
    mode: 'unlocked',
    environment: 'demo',
    ticket: { symbol: 'BTCUSDT', sizeMode: 'quantity', size: '0.01', stopPercent: '', leverage: '10', orderType: 'MARKET', price: '', postOnly: false, reduceOnly: false },
  };

  it('round-trips through the store', () => {
    const store = memoryStore();
    expect(readBootState(store)).toBeUndefined();
    writeBootState(store, state);
    expect(readBootState(store)).toEqual(state);
    writeBootState(store, { ...state, mode: 'locked', environment: null, ticket: null });
    expect(readBootState(store)).toEqual({ ...state, mode: 'locked', environment: null, ticket: null });
  });

  it('ignores what does not parse: not JSON, an unknown environment, an extra or a missing key', () => {
    const store = memoryStore();
    for (const raw of ['{', JSON.stringify({ ...state, environment: 'testnet' }), JSON.stringify({ ...state, extra: 1 }), JSON.stringify({ ...state, ticket: { ...state.ticket, size: 1 } })]) {
      store.setItem(BOOT_KEY, raw);
      expect(readBootState(store), raw).toBeUndefined();
    }
    const { minimized: _dropped, ...missing } = state;
    store.setItem(BOOT_KEY, JSON.stringify(missing));
    expect(readBootState(store)).toBeUndefined();
  });

  it('a store that refuses the write costs nothing but the quick start', () => {
    const full: KeyValueStore = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(() => writeBootState(full, state)).not.toThrow();
    expect(readBootState(full)).toBeUndefined();
  });
});
