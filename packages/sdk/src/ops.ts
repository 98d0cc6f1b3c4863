/**
 * The whole per-operation surface: one line per operation of openapi/kard.yaml, keyed by its
 * operationId. The generated function carries method, URL and types; the line adds positional path
 * parameters, call shape, the @kardkit/schemas validator and 207 handling.
 */
import { type Method, op } from './core/operation.js';
import * as g from './generated/sdk.gen.js';

/** What replaces the upload-session operations, which openapi/kard.yaml marks deprecated (R37). */
const UPLOADS_SUCCESSOR = 'transactions.createBulkUploadUrl';

export const operations = {
  'transactions.create': op(g.transactionsCreate, [], 'body', {
    validator: 'TransactionsRequest',
    partial: true,
  }),
  'transactions.createBulkUploadUrl': op(g.transactionsCreateBulkUploadUrl, [], 'body', {
    validator: 'BulkUploadUrlRequest',
  }),
  'transactions.createFraudMarkers': op(g.transactionsCreateFraudMarkers, [], 'body', {
    validator: 'FraudMarkersRequest',
    partial: true,
  }),
  'users.create': op(g.usersCreate, [], 'body', { validator: 'CreateUsersRequest', partial: true }),
  'users.get': op(g.usersGet, ['userId'], 'none'),
  'users.update': op(g.usersUpdate, ['userId'], 'body', { validator: 'UpdateUserRequest' }),
  'users.delete': op(g.usersDelete, ['userId'], 'none'),
  'users.getWebViewToken': op(g.usersGetWebViewToken, ['userId'], 'none'),
  'users.getPlacementContent': op(g.usersGetPlacementContent, ['userId', 'placementId'], 'query'),
  'users.audits.create': op(g.usersAuditsCreate, ['userId'], 'body', {
    validator: 'CreateAuditsRequest',
    partial: true,
  }),
  'users.earnedRewards.list': op(g.usersEarnedRewardsList, ['userId'], 'list'),
  'users.uploads.create': op(g.usersUploadsCreate, ['userId'], 'body', {
    validator: 'CreateUploadRequest',
    deprecated: UPLOADS_SUCCESSOR,
  }),
  'users.uploads.createPart': op(g.usersUploadsCreatePart, ['userId', 'uploadId'], 'body', {
    validator: 'UploadPartRequest',
    partial: true,
    deprecated: UPLOADS_SUCCESSOR,
  }),
  'users.uploads.complete': op(g.usersUploadsComplete, ['userId', 'uploadId'], 'body', {
    validator: 'CompleteUploadRequest',
    deprecated: UPLOADS_SUCCESSOR,
  }),
  'users.offers.list': op(g.usersOffersList, ['userId'], 'list'),
  'users.offers.activate': op(g.usersOffersActivate, ['userId', 'offerId'], 'query'),
  'users.offers.boost': op(g.usersOffersBoost, ['userId', 'offerId'], 'query'),
  'users.locations.list': op(g.usersLocationsList, ['userId'], 'list'),
  'users.attributions.create': op(g.usersAttributionsCreate, ['userId'], 'body', {
    validator: 'CreateAttributionsRequest',
  }),
  'users.placements.activateSlot': op(
    g.usersPlacementsActivateSlot,
    ['userId', 'placementId', 'slotId'],
    'none',
  ),
  'notifications.list': op(g.notificationsList, [], 'list'),
  'notifications.replay': op(g.notificationsReplay, ['eventId'], 'none'),
  'subscriptions.list': op(g.subscriptionsList, [], 'query'),
  'subscriptions.create': op(g.subscriptionsCreate, [], 'body', { validator: 'CreateSubscriptionsRequest' }),
  'subscriptions.update': op(g.subscriptionsUpdate, ['subscriptionId'], 'body', {
    validator: 'UpdateSubscriptionRequest',
  }),
  'files.listMetadata': op(g.filesListMetadata, [], 'list'),
  'organizations.get': op(g.organizationsGet, [], 'none'),
  'organizations.children.list': op(g.organizationsChildrenList, [], 'list'),
  'organizations.children.create': op(g.organizationsChildrenCreate, [], 'body', {
    validator: 'CreateChildOrganizationRequest',
  }),
  'organizations.children.get': op(g.organizationsChildrenGet, ['childId'], 'none'),
  'organizations.children.update': op(g.organizationsChildrenUpdate, ['childId'], 'body', {
    validator: 'UpdateChildOrganizationRequest',
  }),
  'organizations.children.delete': op(g.organizationsChildrenDelete, ['childId'], 'none'),
  'organizations.placements.list': op(g.organizationsPlacementsList, [], 'list'),
  'organizations.placements.create': op(g.organizationsPlacementsCreate, [], 'body', {
    validator: 'CreatePlacementRequest',
  }),
  'organizations.placements.get': op(g.organizationsPlacementsGet, ['placementId'], 'query'),
  'organizations.placements.update': op(g.organizationsPlacementsUpdate, ['placementId'], 'body', {
    validator: 'UpdatePlacementRequest',
  }),
  'organizations.placements.delete': op(g.organizationsPlacementsDelete, ['placementId'], 'none'),
  'organizations.contentStrategies.list': op(g.organizationsContentStrategiesList, [], 'list'),
  'organizations.contentStrategies.create': op(g.organizationsContentStrategiesCreate, [], 'body', {
    validator: 'ContentStrategyRequest',
  }),
  'organizations.contentStrategies.get': op(
    g.organizationsContentStrategiesGet,
    ['contentStrategyId'],
    'none',
  ),
  'organizations.contentStrategies.update': op(
    g.organizationsContentStrategiesUpdate,
    ['contentStrategyId'],
    'body',
    { validator: 'ContentStrategyRequest' },
  ),
  'organizations.contentStrategies.delete': op(
    g.organizationsContentStrategiesDelete,
    ['contentStrategyId'],
    'none',
  ),
  ping: op(g.ping, [], 'none', { noAuth: true }),
  'auth.getToken': op(g.authGetToken, [], 'body', { noAuth: true }),
  'legacy.transactions.createIncoming': op(g.legacyTransactionsCreateIncoming, [], 'body', {
    validator: 'LegacyIncomingTransactions',
    bareArray: true,
  }),
};

export type Operations = typeof operations;

/**
 * The upload-session operations again, declared by hand so that editors strike them through and
 * show the successor: JSDoc does not survive the mapped resource tree. Intersected with it by the
 * main and lite clients (client.ts, core/client-base.ts).
 */
export interface DeprecatedOperations {
  users: {
    uploads: {
      /**
       * Opens an upload session for one user's past transactions (R35).
       * @deprecated Kard deprecated upload sessions (R37): use
       * `kard.transactions.createBulkUploadUrl`, or `kard.transactions.uploadFile` to stream a file.
       */
      create: Method<Operations['users.uploads.create']>;
      /**
       * Adds up to 500 historical transactions to an open upload (R35).
       * @deprecated Kard deprecated upload sessions (R37): use
       * `kard.transactions.createBulkUploadUrl`, or `kard.transactions.uploadFile` to stream a file.
       */
      createPart: Method<Operations['users.uploads.createPart']>;
      /**
       * Closes an upload session (R36).
       * @deprecated Kard deprecated upload sessions (R37): use
       * `kard.transactions.createBulkUploadUrl`, or `kard.transactions.uploadFile` to stream a file.
       */
      complete: Method<Operations['users.uploads.complete']>;
    };
  };
}
