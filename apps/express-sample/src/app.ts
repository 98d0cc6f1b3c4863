/**
 * The HTTP surface of the sample. Everything Kard-specific goes through a `KardPort` (kard.ts
 * implements it with @kardkit/sdk), everything durable through the `Database` (db.ts).
 */

import { safeParseCreateUsersRequest, type ValidationIssue } from '@kardkit/schemas';
import { hashEmail, KardValidationError, KardWebhookSignatureError, verifyWebhook } from '@kardkit/sdk';
import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { type AuthConfig, requireApiKey } from './auth.js';
import type { Database } from './db.js';
import { issue, parseIntake } from './intake.js';
import type { KardPort } from './kard.js';
import { migrationsComplete } from './migrations.js';
import { counts, enqueue, getEvent } from './outbox.js';
import { recordNotification, rewardsForUser } from './webhooks.js';

export interface AppDeps {
  db: Database;
  kard: KardPort;
  logger: Logger;
  webhookSecret: string;
  /** API keys for every route but /healthz, /readyz and /webhooks/kard. */
  auth: AuthConfig;
  /** Called after events were queued, so the forwarder starts at once instead of at its next poll. */
  onQueued?: () => void;
}

function badRequest(res: Response, message: string, issues: ValidationIssue[]) {
  res.status(400).json({ error: message, issues });
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function createApp(deps: AppDeps): Express {
  const { db, kard, logger, webhookSecret } = deps;
  const app = express();
  app.disable('x-powered-by');

  // Access log: method, path, status and time only — never headers or bodies.
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms) },
        'request',
      );
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      // One query answers both questions: the database is reachable and the migrations are applied.
      if (!(await migrationsComplete(db))) {
        res.status(503).json({ status: 'migrating' });
        return;
      }
      res.json({ status: 'ready', database: db.kind });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    }
  });

  // Kard's webhooks are authenticated by their signature, not by an API key.
  // The signature covers the exact bytes, so the body must stay raw here.
  app.post('/webhooks/kard', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const signature = req.get('notify-signature'); // header names are case-insensitive
    if (!signature) {
      res.status(403).json({ error: 'missing notify-signature header' });
      return;
    }
    const rawBody: Uint8Array = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let notification: unknown;
    try {
      notification = await verifyWebhook({ rawBody, signature, secret: webhookSecret });
    } catch (error) {
      if (error instanceof KardWebhookSignatureError) {
        logger.warn('webhook rejected: signature does not match');
        res.status(401).json({ error: 'invalid notify-signature' });
      } else {
        logger.warn('webhook rejected: malformed payload');
        const issues = error instanceof KardValidationError ? error.issues : [];
        res.status(400).json({ error: 'malformed notification payload', issues });
      }
      return;
    }
    const outcome = await recordNotification(db, notification);
    const data = (notification as { data: { id: string; type: string } }).data;
    logger.info({ notificationId: data.id, type: data.type, outcome }, 'webhook received');
    res.status(200).json({ received: true, duplicate: outcome === 'duplicate' });
  });

  // Everything below needs an API key (Authorization: Bearer <key>); refusals are logged without it.
  if (deps.auth.mode === 'keys') {
    app.use(
      requireApiKey(deps.auth, (req, reason) =>
        logger.warn({ method: req.method, path: req.path, ip: req.ip, reason }, 'request refused: API key'),
      ),
    );
  }

  // Card events from the issuer's processor → validated → outbox → 202.
  app.post('/transactions', express.json({ limit: '10mb', type: () => true }), async (req, res) => {
    const parsed = parseIntake(req.body);
    if (!parsed.ok) {
      badRequest(res, 'invalid transaction events; nothing was stored', parsed.issues);
      return;
    }
    // The 202 is sent only after the rows are committed: an answered event is a durable event.
    const { queued, duplicates } = await enqueue(db, parsed.events);
    if (queued.length > 0) deps.onQueued?.();
    res.status(202).json({
      queued: queued.length,
      duplicates: duplicates.length,
      events: [
        ...queued.map((id) => ({ id, status: 'queued' })),
        ...duplicates.map((id) => ({ id, status: 'duplicate' })),
      ],
      warnings: parsed.warnings,
    });
  });

  app.get('/outbox/stats', async (_req, res) => {
    res.json(await counts(db));
  });

  app.get('/outbox/:id', async (req, res) => {
    const row = await getEvent(db, req.params.id);
    if (!row) {
      res.status(404).json({ error: 'no such event in the outbox' });
      return;
    }
    const { payload: _payload, ...rest } = row; // the payload holds card data: not echoed back
    res.json(rest);
  });

  // Enroll a user.
  app.post('/users', express.json({ limit: '100kb', type: () => true }), async (req, res) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
      string,
      unknown
    >;
    const id = single(body.id);
    if (!id) {
      badRequest(res, 'invalid user', [issue('id', 'required: the issuer user id')]);
      return;
    }
    const attributes: Record<string, unknown> = {
      enrolledRewards: Array.isArray(body.enrolledRewards) ? body.enrolledRewards : ['CARDLINKED'],
    };
    for (const key of ['zipCode', 'phoneNumber', 'birthYear'] as const) {
      if (body[key] !== undefined) attributes[key] = body[key];
    }
    if (body.email !== undefined) {
      try {
        // Only the hash leaves this service (R42: hashedEmail in UserAttributes); the address itself is not sent or stored.
        attributes.hashedEmail = await hashEmail(String(body.email));
      } catch {
        badRequest(res, 'invalid user', [issue('email', 'not a valid email address')]);
        return;
      }
    }
    const request = { data: [{ type: 'user', id, attributes }] };
    const checked = safeParseCreateUsersRequest(request);
    if (!checked.success) {
      badRequest(res, 'invalid user', checked.issues);
      return;
    }
    const result = await kard.createUser(request);
    const refusal = result.rejected[0];
    if (refusal) {
      // Kard answered 207 with an error for this user (e.g. it already exists).
      const status = Number(refusal.status);
      res
        .status(status >= 400 && status < 500 ? status : 502)
        .json({ error: 'Kard did not enroll the user', errors: result.rejected });
      return;
    }
    res.status(201).json({ id, hashedEmail: attributes.hashedEmail ?? null, kard: result.response });
  });

  // Offers for a user: one page per call; page[size], page[after] and page[before] pass through,
  //    and Kard's pagination links come back rewritten to this route.
  app.get('/users/:id/offers', async (req: Request<{ id: string }>, res) => {
    const size = single(req.query['page[size]']);
    const after = single(req.query['page[after]']);
    const before = single(req.query['page[before]']);
    if (size !== undefined && !/^[1-9]\d*$/.test(size)) {
      badRequest(res, 'invalid query', [issue('page[size]', 'must be a positive integer')]);
      return;
    }
    const page = await kard.listOffers(req.params.id, {
      ...(size ? { size: Number(size) } : {}),
      ...(after ? { after } : {}),
      ...(before ? { before } : {}),
    });
    const base = `/users/${encodeURIComponent(req.params.id)}/offers`;
    const local = (cursor: Record<string, string>) => {
      const q = new URLSearchParams();
      if (size) q.set('page[size]', size);
      for (const [k, v] of Object.entries(cursor)) if (k.startsWith('page[')) q.set(k, v);
      const text = q.toString();
      return text ? `${base}?${text}` : base;
    };
    const cursorOf = (link: unknown): Record<string, string> | null => {
      if (typeof link !== 'string' || !link) return null;
      const i = link.indexOf('?');
      return Object.fromEntries(new URLSearchParams(i >= 0 ? link.slice(i + 1) : ''));
    };
    const prev = cursorOf(page.links?.prev);
    res.json({
      data: page.data,
      links: {
        self: local({
          ...(after ? { 'page[after]': after } : {}),
          ...(before ? { 'page[before]': before } : {}),
        }),
        next: page.next ? local(page.next) : null,
        prev: prev ? local(prev) : null,
      },
      ...(page.meta !== undefined ? { meta: page.meta } : {}),
    });
  });

  // Earned rewards, from the verified webhooks this service has recorded; with ?include=kard,
  //    also Kard's own list (GET …/users/{user}/earned-rewards) for reconciliation.
  app.get('/users/:id/rewards', async (req: Request<{ id: string }>, res) => {
    const rewards = await rewardsForUser(db, req.params.id);
    const settled = rewards.filter((r) => r.type === 'earnedRewardSettled');
    const fromKard = req.query.include === 'kard' ? await kard.listEarnedRewards(req.params.id) : undefined;
    res.json({
      userId: req.params.id,
      data: rewards,
      totals: {
        notifications: rewards.length,
        settledCommissionInCents: settled.reduce((sum, r) => sum + (r.commissionEarnedInCents ?? 0), 0),
      },
      ...(fromKard ? { kard: fromKard } : {}),
    });
  });

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = typeof error?.status === 'number' ? error.status : 500;
    if (error?.type === 'entity.parse.failed') {
      badRequest(res, 'body is not valid JSON; nothing was stored', [issue('', 'body is not valid JSON')]);
      return;
    }
    if (status === 413) {
      res.status(413).json({ error: 'body too large' });
      return;
    }
    const mapped = kard.describeError(error);
    if (mapped) {
      res.status(mapped.status).json(mapped.body);
      return;
    }
    logger.error({ err: error }, 'request failed');
    res.status(500).json({ error: 'internal error' });
  };
  app.use(onError);
  return app;
}
