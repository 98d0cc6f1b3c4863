export { type AppDeps, createApp } from './app.js';
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
export { createLogger, scrub } from './logger.js';
export { migrate, migrations } from './migrations.js';
export { claim, complete, counts, enqueue, getEvent, type OutboxRow, type OutboxStatus } from './outbox.js';
export { createKardClient, type RunningSample, type StartOptions, startSample } from './sample.js';
export { type EarnedReward, recordNotification, rewardsForUser } from './webhooks.js';
