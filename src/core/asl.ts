/**
 * The protection engine: exchange-resident protective stops for every position and the ASL trailing tiers, as a
 * pure reducer. `step(state, event, config)` returns the next state and the effects for the runner
 * (`src/background/trading/protector.ts`) to execute; see docs/protection.md for the rules and the native-vs-worker decision.
 */
export { RETRY_SAME_ID, step } from './asl/reducer.ts';
export { selectProtection, selectProtections, type ProtectionView } from './asl/selectors.ts';
export { posKey, parseClientId } from './asl/ids.ts';
export {
  AlgoOrderParamsSchema,
  CLIENT_ID_RE,
  CloseOrderParamsSchema,
  DEFAULT_PROTECTION_CONFIG,
  EffectSchema,
  emptyProtectionState,
  OpenAlgoOrderSchema,
  PositionSnapshotSchema,
  ProtectionConfigSchema,
  ProtectionEventSchema,
  ProtectionStateSchema,
  type AlgoOrderParams,
  type CloseOrderParams,
  type Effect,
  type OpenAlgoOrder,
  type PositionSnapshot,
  type ProtectionConfig,
  type ProtectionEvent,
  type ProtectionMode,
  type ProtectionState,
  type Tier,
} from './asl/schema.ts';
