export { type AppDeps, createApp } from './app.js';
export { type AuthConfig, hashKey } from './auth.js';
export { ConfigError, hasNoKardConfig, loadConfig, type SampleConfig } from './config.js';
export { type Database, type DatabaseOptions, openDatabase, type Queryable } from './db.js';
export {
  type BatchReport,
  Forwarder,
  type ForwarderOptions,
  type Sender,
  type SendResult,
} from './forwarder.js';
export { type IntakeResult, legacyEventId, type OutboxEvent, parseIntake } from './intake.js';
export { createKardPort, isTransient, type KardPort, type OffersPage } from './kard.js';
export { type DataDirLock, DataDirLockedError, lockDataDir } from './lock.js';
export { createLogger, scrub } from './logger.js';
export { migrate, migrations } from './migrations.js';
export { claim, complete, counts, enqueue, getEvent, type OutboxRow, type OutboxStatus } from './outbox.js';
export {
  PROCESSORS,
  type ProcessorRoute,
  type ProcessorsConfig,
  registerProcessorRoutes,
} from './processors.js';
export {
  kardNotificationLog,
  type NotificationLog,
  type ReconcileReport,
  Reconciler,
  type ReconcilerOptions,
} from './reconcile.js';
export { createKardClient, type RunningSample, type StartOptions, startSample } from './sample.js';
export { type EarnedReward, type RecordOutcome, recordNotification, rewardsForUser } from './webhooks.js';
