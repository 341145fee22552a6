/**
 * Starts and stops the trading session with the vault: a session exists only while a profile is unlocked. A
 * restarted worker whose vault session is still open starts it again at once, so protection resumes and the next
 * hotkey order signs with no prompt.
 */
import { vault } from '../services.ts';
import { publish } from '../events.ts';
import * as journal from '../activity-log.ts';
import { readTicket } from '../ticket-store.ts';
import { updateBadge } from '../badge.ts';
import { NotificationBatch, type NotifyLevel } from '../notification-batch.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import { TradingSession } from './session.ts';
import type { SigningMaterial } from '../vault.ts';
import { workerLogger } from './worker-ports.ts';

let current: { profileId: string; session: Promise<Result<TradingSession>> } | null = null;
let snapshotTimer: ReturnType<typeof setTimeout> | null = null;
/** The session whose state the pending snapshot publishes: the latest to change. */
let snapshotOf: TradingSession | null = null;

/** Snapshots are published at most every 200 ms: marks arrive every second per symbol, fills in bursts. */
function scheduleSnapshot(session: TradingSession): void {
  snapshotOf = session;
  if (snapshotTimer !== null) return;
  snapshotTimer = setTimeout(() => {
    snapshotTimer = null;
    const s = snapshotOf;
    // A session stopped by a lock since would paint its last state over the locked badge.
    if (s === null || s.stopped) return;
    void readTicket().then((ticket) => {
      if (s.stopped) return;
      const snapshot = s.snapshot(ticket);
      publish({ type: 'trading', snapshot });
      void updateBadge({ kind: 'trading', snapshot });
    });
  }, 200);
}

function log(kind: Parameters<typeof journal.append>[0]['kind'], text: string, extra: { clientId?: string; latency?: Record<string, number> } = {}): Promise<void> {
  return journal
    .append({ atMs: Date.now(), kind, text, ...extra })
    .then((entry) => publish({ type: 'journal', entry }))
    .catch((e: unknown) => console.warn('[strike] journal write failed', e));
}

const notifications = new NotificationBatch({
  show: (n) => chrome.notifications.create({ type: 'basic', iconUrl: chrome.runtime.getURL('icons/icon-128.png'), ...n }),
  after: (ms, fn) => void setTimeout(fn, ms),
});

function notify(level: NotifyLevel, text: string): void {
  publish({ type: 'notice', level: level === 'warn' ? 'warning' : level, text, atMs: Date.now() });
  // Info notices (a position's stops cancelled as it closed, a leftover order cancelled) are not journaled; the
  // worker's console keeps them for a post-mortem of what the protection did and why.
  if (level !== 'info') void log(level === 'error' ? 'error' : 'stop', text);
  else workerLogger.info(`notice: ${text}`);
  notifications.add(level, text);
}

/**
 * A session ready to place orders once its rules, clock and position mode are loaded (from storage after a
 * worker restart); it connects and reconciles with the exchange in the background.
 */
async function create(key: SigningMaterial): Promise<Result<TradingSession>> {
  const session: TradingSession = new TradingSession(key, {
    changed: () => scheduleSnapshot(session),
    mark: (symbol, price, atMs) => publish({ type: 'mark', symbol, price, atMs }),
    notify,
    log,
  });
  const [prepared, ticket] = await Promise.all([session.prepare(), readTicket()]);
  if (!prepared.ok) {
    session.stop();
    void updateBadge({ kind: 'error', reason: prepared.error.message });
    return prepared;
  }
  // connect() registers the stream listeners before its first await: the market streams open only after that, so
  // their first events are not lost.
  void session.connect().then(() => log('connection', `Connected to the ${key.environment} exchange`));
  session.setSymbolInView(ticket.symbol);
  performance.mark(READY_MARK);
  return ok(session);
}

/** Performance mark set when a session can sign its first order (read by `npm run bench`). */
export const READY_MARK = 'strike:ready-to-sign';

let resolving: Promise<Result<TradingSession>> | null = null;

/** The running session, starting it when the vault is unlocked; a locked vault answers VAULT_LOCKED. */
export function session(): Promise<Result<TradingSession>> {
  // The hot path: a running session for the profile the vault holds unlocked in memory, no storage round trip.
  if (current !== null && current.profileId === vault.liveProfileId()) return current.session;
  // Requests arriving together (a woken worker's own start and the hotkey that woke it) share one look-up.
  resolving ??= resolve().finally(() => {
    resolving = null;
  });
  return resolving;
}

async function resolve(): Promise<Result<TradingSession>> {
  const key = await vault.signingKey();
  if (!key.ok) {
    stop();
    void updateBadge({ kind: 'locked' });
    const status = await vault.status();
    if (status.ok && status.value.profiles.length === 0) return err('NOT_CONFIGURED', 'No exchange account is set up yet: add your API key in the side panel, then try again.');
    return err('VAULT_LOCKED', 'Strike is locked: unlock it in the side panel to trade. No order was sent.');
  }
  const profileId = key.value.profileId;
  if (current === null || current.profileId !== profileId) {
    stop();
    const started = create(key.value);
    current = { profileId, session: started };
    void started.then((r) => {
      if (!r.ok && current?.session === started) current = null;
    });
  }
  return current.session;
}

/** Stops the session (on lock, profile change or a failed start). */
export function stop(): void {
  const running = current;
  current = null;
  if (running !== null) void running.session.then((r) => r.ok && r.value.stop());
}

/** The running session if one is up, without starting one. */
export async function running(): Promise<TradingSession | null> {
  if (current === null) return null;
  const r = await current.session;
  return r.ok ? r.value : null;
}
