/** Fan-out of `SimEvent`s to the WebSocket layer (and tests). A throwing listener never breaks the engine. */
import type { SimEvent, SimEventListener } from '../contracts.ts';

export class EventBus {
  private readonly listeners = new Set<SimEventListener>();

  subscribe(listener: SimEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: SimEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (error) {
        console.error('[sim] event listener failed', error);
      }
    }
  }

  user(accountId: string, payload: Record<string, unknown>): void {
    if (this.listeners.size > 0) this.emit({ kind: 'user', accountId, payload });
  }

  market(stream: string, payload: Record<string, unknown>): void {
    if (this.listeners.size > 0) this.emit({ kind: 'market', stream, payload });
  }
}
