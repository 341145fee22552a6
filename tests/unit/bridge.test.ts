import { afterEach, describe, expect, it, vi } from 'vitest';
import { request } from '../../src/sidepanel/bridge.ts';

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
