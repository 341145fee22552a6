/** The exchange's one endpoint table, shared by REST and the WebSocket API (contracts.ts `EndpointTable`). */
import type { EndpointTable } from '../contracts.ts';
import { accountEndpoints } from './account.ts';
import { algoEndpoints } from './algo.ts';
import type { ApiDeps } from './context.ts';
import { marketEndpoints } from './market-data.ts';
import { tradeEndpoints } from './trade.ts';

export type { ApiDeps } from './context.ts';

export function buildEndpoints(d: ApiDeps): EndpointTable {
  return { ...marketEndpoints(d), ...tradeEndpoints(d), ...algoEndpoints(d), ...accountEndpoints(d) };
}
