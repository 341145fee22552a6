/**
 * Translates the user data stream (fact sheet §8) into the protection engine's events. Pure.
 * Fills carry ORDER_TRADE_UPDATE's transaction time `T` and positions ACCOUNT_UPDATE's `T`: the engine matches
 * fills against position snapshots by these times, so a fill already counted in a snapshot is not counted twice.
 */
import type { ProtectionEvent } from '../../core/asl.ts';
import type { UserEvent } from '../exchange/schemas.ts';

const positionSide = (ps: string | undefined): 'BOTH' | 'LONG' | 'SHORT' => (ps === 'LONG' || ps === 'SHORT' ? ps : 'BOTH');

export function protectionEventsFrom(event: UserEvent): ProtectionEvent[] {
  switch (event.e) {
    case 'ORDER_TRADE_UPDATE': {
      const o = event.o;
      if (o.x !== 'TRADE') return [];
      return [{ type: 'fill', symbol: o.s, positionSide: positionSide(o.ps), side: o.S, qty: o.l, price: o.L, atMs: event.T }];
    }
    case 'ACCOUNT_UPDATE':
      return event.a.P.map((p) => ({
        type: 'position',
        symbol: p.s,
        positionSide: positionSide(p.ps),
        amount: p.pa,
        entryPrice: p.ep,
        atMs: event.T,
      }));
    case 'ALGO_UPDATE': {
      const o = event.o;
      switch (o.X) {
        case 'CANCELED':
          return [{ type: 'algoCanceled', clientAlgoId: o.caid, atMs: event.T }];
        case 'TRIGGERING':
        case 'TRIGGERED':
          return [{ type: 'algoTriggered', clientAlgoId: o.caid, atMs: event.T }];
        case 'FINISHED':
        case 'EXPIRED':
        case 'REJECTED':
          return [{ type: 'algoFinished', clientAlgoId: o.caid, status: o.X, reason: '', atMs: event.T }];
        default:
          // NEW: acceptance is taken from the placement's own answer, which carries the algoId.
          return [];
      }
    }
    case 'listenKeyExpired':
      return [];
  }
}
