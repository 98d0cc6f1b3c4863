export { type Discovery, findSandbox, type SandboxInfo, sandboxDir, sandboxFile } from './discovery.js';
export { LOCATIONS as fixtureLocations, OFFERS as fixtureOffers } from './fixtures.js';
export { startMockKard } from './server.js';
export type {
  CounterStats,
  FaultConfig,
  FaultStep,
  MockKard,
  MockKardOptions,
  MockStats,
  RecordedRequest,
} from './types.js';
export const packageName = '@kardkit/mock-server';
