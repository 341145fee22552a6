/**
 * The one contract between the UI (side panel, hotkeys) and the background. Every request and every event is a
 * strict zod object discriminated by `type`: an extra key, a wrong type or an unknown `type` fails to parse and
 * never reaches a handler. Types are inferred from these schemas and never written twice.
 */
import { resultSchema } from './result.ts';
import { z } from './zod.ts';

export const SideSchema = z.enum(['BUY', 'SELL']);
export type Side = z.infer<typeof SideSchema>;

/** Where an intent came from: the panel's buttons and the hotkeys make the same request. */
export const SourceSchema = z.enum(['panel', 'hotkey']);

const epochMs = z.int().check(z.nonnegative(), z.maximum(8.64e15));

// ---------------------------------------------------------------------------------------------------- requests

const AppStatusRequest = z.strictObject({ type: z.literal('app.status') });
const OrderSubmitRequest = z.strictObject({
  type: z.literal('order.submit'),
  side: SideSchema,
  source: SourceSchema,
  /** When the trader clicked or pressed the key (epoch ms), for the latency breakdown. */
  inputAtMs: epochMs,
  /** A hotkey on a Binance futures or TradingView tab trades that tab's symbol instead of the ticket's. */
  symbol: z.optional(z.string().check(z.regex(/^[A-Z0-9]{2,20}$/))),
});
const HotkeysCheckRequest = z.strictObject({ type: z.literal('hotkeys.check') });

// Vault. Secrets travel only inward (panel -> background, once, at set-up); nothing secret ever comes back.
export const EnvironmentSchema = z.enum(['local', 'demo', 'mainnet']);
export type Environment = z.infer<typeof EnvironmentSchema>;
const password = z.string().check(z.minLength(1, 'Enter a password.'), z.maxLength(1024));
const VaultStatusRequest = z.strictObject({ type: z.literal('vault.status') });
const VaultGenerateEd25519Request = z.strictObject({ type: z.literal('vault.generateEd25519') });
const VaultSetupRequest = z.strictObject({
  type: z.literal('vault.setup'),
  name: z.string().check(z.trim(), z.minLength(1, 'Name the profile.'), z.maxLength(64)),
  environment: EnvironmentSchema,
  /** Mainnet trades real money: the form must carry an explicit confirmation. */
  confirmMainnet: z.boolean(),
  credentials: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('hmac'), apiKey: z.string().check(z.maxLength(512)), secret: z.string().check(z.maxLength(512)) }),
    z.strictObject({
      kind: z.literal('ed25519'),
      apiKey: z.string().check(z.maxLength(512)),
      privateKeyPem: z.string().check(z.maxLength(4096)),
    }),
    /** The key pair made by `vault.generateEd25519`: its private half never left the background. */
    z.strictObject({ kind: z.literal('ed25519-generated'), apiKey: z.string().check(z.maxLength(512)) }),
    /** The paper account `npm start` handed to the background; the panel never sees its secret. */
    z.strictObject({ kind: z.literal('prefill') }),
  ]),
  password,
});
const profileId = z.string().check(z.maxLength(64));
const VaultUnlockRequest = z.strictObject({ type: z.literal('vault.unlock'), profileId, password });
const VaultLockRequest = z.strictObject({ type: z.literal('vault.lock') });
const VaultChangePasswordRequest = z.strictObject({
  type: z.literal('vault.changePassword'),
  oldPassword: password,
  newPassword: password,
});
const VaultDeleteProfileRequest = z.strictObject({ type: z.literal('vault.deleteProfile'), profileId, password });
const VaultSetAutoLockRequest = z.strictObject({
  type: z.literal('vault.setAutoLock'),
  minutes: z.int().check(z.minimum(1), z.maximum(24 * 60)),
});

// Trading.
const decimalString = z.string().check(z.regex(/^\d+(\.\d+)?$/, 'Enter a positive number like 0.01.'), z.maxLength(40));
export const SizeModeSchema = z.enum(['quantity', 'notional', 'balancePercent', 'risk']);
export const TicketSchema = z.strictObject({
  symbol: z.string().check(z.regex(/^[A-Z0-9]{2,20}$/)),
  sizeMode: SizeModeSchema,
  /** Quantity in base units, USDT notional, % of available balance, or risk in USDT, per `sizeMode`. */
  size: decimalString,
  /** Stop distance in % of the entry price: the initial protective stop, and the risk sizing's distance. */
  stopPercent: z.optional(decimalString),
  leverage: z.int().check(z.minimum(1), z.maximum(125)),
  orderType: z.enum(['MARKET', 'LIMIT']),
  price: z.optional(decimalString),
  postOnly: z.boolean(),
  reduceOnly: z.boolean(),
});
export type Ticket = z.infer<typeof TicketSchema>;
const TicketSetRequest = z.strictObject({ type: z.literal('ticket.set'), ticket: TicketSchema });
const TicketPreviewRequest = z.strictObject({ type: z.literal('ticket.preview'), ticket: TicketSchema, side: SideSchema });
const TradingSnapshotRequest = z.strictObject({ type: z.literal('trading.snapshot') });
const PositionSideSchema = z.enum(['BOTH', 'LONG', 'SHORT']);
const PositionCloseRequest = z.strictObject({
  type: z.literal('position.close'),
  symbol: z.string().check(z.maxLength(20)),
  positionSide: PositionSideSchema,
});
const OrderCancelRequest = z.strictObject({
  type: z.literal('order.cancel'),
  symbol: z.string().check(z.maxLength(20)),
  /** A matching-engine order (clientOrderId) or a conditional algo order (clientAlgoId). */
  kind: z.enum(['order', 'algo']),
  clientId: z.string().check(z.maxLength(36)),
});
const OrdersCancelAllRequest = z.strictObject({ type: z.literal('orders.cancelAll') });
const FlattenRequest = z.strictObject({ type: z.literal('flatten'), source: SourceSchema, inputAtMs: epochMs });
const JournalQueryRequest = z.strictObject({
  type: z.literal('journal.query'),
  text: z.string().check(z.maxLength(200)),
  limit: z.int().check(z.minimum(1), z.maximum(5000)),
});
const JournalExportRequest = z.strictObject({ type: z.literal('journal.export') });
const HotkeysOpenSettingsRequest = z.strictObject({ type: z.literal('hotkeys.openSettings') });
const UiSetMinimizedRequest = z.strictObject({ type: z.literal('ui.setMinimized'), minimized: z.boolean() });

export const RequestSchema = z.discriminatedUnion('type', [
  AppStatusRequest,
  OrderSubmitRequest,
  HotkeysCheckRequest,
  HotkeysOpenSettingsRequest,
  UiSetMinimizedRequest,
  VaultStatusRequest,
  VaultGenerateEd25519Request,
  VaultSetupRequest,
  VaultUnlockRequest,
  VaultLockRequest,
  VaultChangePasswordRequest,
  VaultDeleteProfileRequest,
  VaultSetAutoLockRequest,
  TicketSetRequest,
  TicketPreviewRequest,
  TradingSnapshotRequest,
  PositionCloseRequest,
  OrderCancelRequest,
  OrdersCancelAllRequest,
  FlattenRequest,
  JournalQueryRequest,
  JournalExportRequest,
]);
export type Request = z.infer<typeof RequestSchema>;
export type RequestType = Request['type'];
/** Every request `type`, in the union's order: the router tells an unknown type from a malformed request by it. */
export const REQUEST_TYPES: readonly RequestType[] = RequestSchema.def.options.map((o) => o.shape.type.def.values[0] as RequestType);
export type RequestOf<K extends RequestType> = Extract<Request, { type: K }>;

// ---------------------------------------------------------------------------------------------------- answers

export const HotkeySchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  /** Empty when Chrome left the command unbound (Ctrl+Shift+B always is: it is the bookmarks bar). */
  shortcut: z.string(),
});
export const HotkeyHealthSchema = z.strictObject({
  commands: z.array(HotkeySchema),
  /** Names of our order commands that have no key; the panel explains and links to chrome://extensions/shortcuts. */
  unbound: z.array(z.string()),
});
export type HotkeyHealth = z.infer<typeof HotkeyHealthSchema>;

export const UiStateSchema = z.strictObject({ minimized: z.boolean() });
export type UiState = z.infer<typeof UiStateSchema>;

export const ProfileInfoSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  environment: EnvironmentSchema,
  keyType: z.enum(['hmac', 'ed25519']),
  /** `abcd…wxyz`: the UI never sees a whole key, let alone a secret. */
  apiKeyMasked: z.string(),
  publicKeyPem: z.optional(z.string()),
});
export const VaultStatusSchema = z.strictObject({
  profiles: z.array(ProfileInfoSchema),
  unlocked: z.boolean(),
  activeProfileId: z.optional(z.string()),
  autoLockMinutes: z.int(),
  autoLockAtMs: z.optional(epochMs),
  /** Milliseconds to wait before the next unlock attempt after repeated wrong passwords. */
  retryAfterMs: z.int().check(z.nonnegative()),
  /** `npm start` left a paper account to seal (environment and masked key only). */
  prefill: z.optional(z.strictObject({ environment: EnvironmentSchema, apiKeyMasked: z.string() })),
});
export type VaultStatus = z.infer<typeof VaultStatusSchema>;

export const AppStatusSchema = z.strictObject({
  version: z.string(),
  /** Whether an exchange account is configured and unlocked, so an order can be signed right now. */
  ready: z.boolean(),
  ui: UiStateSchema,
  hotkeys: HotkeyHealthSchema,
  vault: VaultStatusSchema,
});
export type AppStatus = z.infer<typeof AppStatusSchema>;

export const OrderAckSchema = z.strictObject({
  intentId: z.string(),
  clientOrderId: z.string(),
  side: SideSchema,
  symbol: z.string(),
  quantity: z.string(),
  /** Exchange status: NEW, PARTIALLY_FILLED, FILLED, … */
  status: z.string(),
  /** Path the order took: the WebSocket API when up, REST otherwise. */
  via: z.enum(['ws', 'rest']),
  /**
   * From the trader's input (page clock, whole ms): signed, sent, acknowledged. The `received…` figures are the
   * worker's own, on its high-resolution clock, from the request reaching the background to the frame handed to
   * the socket and to the exchange's answer arriving (issue targets: < 1 ms, and raw WS round trip + 1 ms).
   */
  latency: z.strictObject({
    signedMs: z.number(),
    sentMs: z.number(),
    ackMs: z.number(),
    receivedToSentMs: z.optional(z.number()),
    receivedToAnswerMs: z.optional(z.number()),
  }),
});
export type OrderAck = z.infer<typeof OrderAckSchema>;

export const PreviewSchema = z.strictObject({
  symbol: z.string(),
  side: SideSchema,
  quantity: z.string(),
  price: z.string(),
  notional: z.string(),
  margin: z.string(),
  liquidationEstimate: z.string(),
  stopPrice: z.string(),
});
export type Preview = z.infer<typeof PreviewSchema>;

export const PositionViewSchema = z.strictObject({
  symbol: z.string(),
  positionSide: PositionSideSchema,
  amount: z.string(),
  entryPrice: z.string(),
  markPrice: z.string(),
  unrealizedPnl: z.string(),
  pnlPercent: z.string(),
  roePercent: z.string(),
  liquidationPrice: z.string(),
  leverage: z.int(),
  stopPrice: z.optional(z.string()),
  /** Index of the active ASL tier (0-based) or absent below the first tier. */
  activeTier: z.optional(z.int()),
  nextTierPrice: z.optional(z.string()),
  /** Time between the entry fill and the first protective stop accepted by the exchange. */
  unprotectedMs: z.optional(z.number()),
});
export type PositionView = z.infer<typeof PositionViewSchema>;

export const OpenOrderViewSchema = z.strictObject({
  symbol: z.string(),
  kind: z.enum(['order', 'algo']),
  clientId: z.string(),
  side: SideSchema,
  type: z.string(),
  quantity: z.string(),
  price: z.string(),
  status: z.string(),
  /** Ours: a protective stop or ASL trailing order placed by the protector. */
  protective: z.boolean(),
});

export const ConnectionSchema = z.strictObject({
  rest: z.enum(['ok', 'degraded', 'down']),
  wsApi: z.enum(['up', 'connecting', 'down']),
  market: z.enum(['up', 'connecting', 'down']),
  user: z.enum(['up', 'connecting', 'down']),
  clockOffsetMs: z.number(),
  rttMs: z.number(),
  /** Why requests are held (rate limit, ban), in words. */
  limiter: z.optional(z.string()),
});

export const TradingSnapshotSchema = z.strictObject({
  ticket: TicketSchema,
  symbols: z.array(z.string()),
  marks: z.record(z.string(), z.string()),
  book: z.record(z.string(), z.strictObject({ bid: z.string(), ask: z.string() })),
  availableBalance: z.string(),
  positions: z.array(PositionViewSchema),
  orders: z.array(OpenOrderViewSchema),
  connection: ConnectionSchema,
});
export type TradingSnapshot = z.infer<typeof TradingSnapshotSchema>;

export const JournalEntrySchema = z.strictObject({
  seq: z.int(),
  atMs: epochMs,
  kind: z.enum(['intent', 'order', 'fill', 'stop', 'error', 'connection', 'vault']),
  text: z.string(),
  clientId: z.optional(z.string()),
  /** input -> signed -> sent -> acknowledged -> filled, in ms from input. */
  latency: z.optional(z.record(z.string(), z.number())),
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

/** The value each request answers with, checked by the UI when the answer arrives. */
export const ResponseSchemas = {
  'app.status': AppStatusSchema,
  'order.submit': OrderAckSchema,
  'hotkeys.check': HotkeyHealthSchema,
  'hotkeys.openSettings': z.strictObject({ opened: z.literal(true) }),
  'ui.setMinimized': UiStateSchema,
  'vault.status': VaultStatusSchema,
  'vault.generateEd25519': z.strictObject({ publicKeyPem: z.string() }),
  'vault.setup': VaultStatusSchema,
  'vault.unlock': VaultStatusSchema,
  'vault.lock': VaultStatusSchema,
  'vault.changePassword': VaultStatusSchema,
  'vault.deleteProfile': VaultStatusSchema,
  'vault.setAutoLock': VaultStatusSchema,
  'ticket.set': TicketSchema,
  'ticket.preview': PreviewSchema,
  'trading.snapshot': TradingSnapshotSchema,
  'position.close': z.strictObject({ clientOrderId: z.string() }),
  'order.cancel': z.strictObject({ canceled: z.literal(true) }),
  'orders.cancelAll': z.strictObject({ canceled: z.int() }),
  flatten: z.strictObject({ canceledOrders: z.int(), closedPositions: z.int() }),
  'journal.query': z.array(JournalEntrySchema),
  'journal.export': z.strictObject({ csv: z.string() }),
} as const satisfies { [K in RequestType]: z.ZodMiniType };

export type ResponseOf<K extends RequestType> = z.infer<(typeof ResponseSchemas)[K]>;

export const responseSchemaFor = <K extends RequestType>(type: K) => resultSchema(ResponseSchemas[type]);

// ---------------------------------------------------------------------------------------------------- events

const StatusEvent = z.strictObject({ type: z.literal('status'), status: AppStatusSchema });
const NoticeEvent = z.strictObject({
  type: z.literal('notice'),
  level: z.enum(['info', 'warning', 'error']),
  text: z.string(),
  atMs: epochMs,
});

const TradingEvent = z.strictObject({ type: z.literal('trading'), snapshot: TradingSnapshotSchema });
const MarkEvent = z.strictObject({ type: z.literal('mark'), symbol: z.string(), price: z.string(), atMs: epochMs });
const JournalEvent = z.strictObject({ type: z.literal('journal'), entry: JournalEntrySchema });
const UnlockProgressEvent = z.strictObject({ type: z.literal('vault.progress'), phase: z.enum(['deriving', 'done']) });

export const EventSchema = z.discriminatedUnion('type', [
  StatusEvent,
  NoticeEvent,
  TradingEvent,
  MarkEvent,
  JournalEvent,
  UnlockProgressEvent,
]);
export type AppEvent = z.infer<typeof EventSchema>;

/** Name of the long-lived port over which the background pushes events to UI pages. */
export const EVENTS_PORT = 'strike.events';
