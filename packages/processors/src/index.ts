export { toLegacyIncoming } from './legacy.js';
export type {
  CardholderRef,
  KardTransaction,
  LegacyIncomingTransaction,
  MapOptions,
  MapResult,
  ProcessorName,
  SkipCode,
} from './types.js';
