/**
 * The one contract between the UI (side panel, hotkeys) and the background. Every request and every event is a
 * strict zod object discriminated by `type`: an extra key, a wrong type or an unknown `type` fails to parse and
 * never reaches a handler. Types are inferred from these schemas and never written twice.
 */
import { z } from 'zod';
import { resultSchema } from './result.ts';

export const SideSchema = z.enum(['BUY', 'SELL']);
export type Side = z.infer<typeof SideSchema>;

/** Where an intent came from: the panel's buttons and the hotkeys make the same request. */
export const SourceSchema = z.enum(['panel', 'hotkey']);

const epochMs = z.number().int().nonnegative().max(8.64e15);

// ---------------------------------------------------------------------------------------------------- requests

const AppStatusRequest = z.strictObject({ type: z.literal('app.status') });
const OrderSubmitRequest = z.strictObject({
  type: z.literal('order.submit'),
  side: SideSchema,
  source: SourceSchema,
  /** When the trader clicked or pressed the key (epoch ms), for the latency breakdown. */
  inputAtMs: epochMs,
});
const HotkeysCheckRequest = z.strictObject({ type: z.literal('hotkeys.check') });
const HotkeysOpenSettingsRequest = z.strictObject({ type: z.literal('hotkeys.openSettings') });
const UiSetMinimizedRequest = z.strictObject({ type: z.literal('ui.setMinimized'), minimized: z.boolean() });

export const RequestSchema = z.discriminatedUnion('type', [
  AppStatusRequest,
  OrderSubmitRequest,
  HotkeysCheckRequest,
  HotkeysOpenSettingsRequest,
  UiSetMinimizedRequest,
]);
export type Request = z.infer<typeof RequestSchema>;
export type RequestType = Request['type'];
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

export const AppStatusSchema = z.strictObject({
  version: z.string(),
  /** Whether an exchange account is configured and unlocked, so an order can be signed right now. */
  ready: z.boolean(),
  ui: UiStateSchema,
  hotkeys: HotkeyHealthSchema,
});
export type AppStatus = z.infer<typeof AppStatusSchema>;

export const OrderAckSchema = z.strictObject({
  intentId: z.string(),
  clientOrderId: z.string(),
  side: SideSchema,
  status: z.string(),
});
export type OrderAck = z.infer<typeof OrderAckSchema>;

/** The value each request answers with, checked by the UI when the answer arrives. */
export const ResponseSchemas = {
  'app.status': AppStatusSchema,
  'order.submit': OrderAckSchema,
  'hotkeys.check': HotkeyHealthSchema,
  'hotkeys.openSettings': z.strictObject({ opened: z.literal(true) }),
  'ui.setMinimized': UiStateSchema,
} as const satisfies { [K in RequestType]: z.ZodType };

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

export const EventSchema = z.discriminatedUnion('type', [StatusEvent, NoticeEvent]);
export type AppEvent = z.infer<typeof EventSchema>;

/** Name of the long-lived port over which the background pushes events to UI pages. */
export const EVENTS_PORT = 'strike.events';
