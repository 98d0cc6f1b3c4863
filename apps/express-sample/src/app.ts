/**
 * The HTTP surface of the sample. Everything Kard-specific goes through a `KardPort` (kard.ts
 * implements it with @kardkit/sdk), everything durable through the `Database` (db.ts).
 */

import { safeParseCreateUsersRequest, type ValidationIssue } from '@kardkit/schemas';
import { hashEmail, KardValidationError, KardWebhookSignatureError, verifyWebhook } from '@kardkit/sdk';
import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { type AuthConfig, errorDocument, requireApiKey } from './auth.js';
import type { Database } from './db.js';
import { issue, parseIntake } from './intake.js';
import type { KardPort } from './kard.js';
import { badId, idIssues, MAX_BODY, MAX_ID_LENGTH, unstorable } from './limits.js';
import { migrationsComplete } from './migrations.js';
import { counts, enqueue, getEvent } from './outbox.js';
import { type ProcessorsConfig, registerProcessorRoutes } from './processors.js';
import { recordNotification, rewardsForUser } from './webhooks.js';

export interface AppDeps {
  db: Database;
  kard: KardPort;
  logger: Logger;
  webhookSecret: string;
  /** API keys for every route but /healthz, /readyz, /webhooks/kard and /processors/*. */
  auth: AuthConfig;
  /** The processor webhook routes' secrets and card BIN (unset: every /processors/* route answers 503). */
  processors?: ProcessorsConfig;
  /** Called after events were queued, so the forwarder starts at once instead of at its next poll. */
  onQueued?: () => void;
}

function badRequest(res: Response, message: string, issues: ValidationIssue[]) {
  res.status(400).json({ error: message, issues });
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

const CLIENT_ERRORS: Record<number, { title: string; code: string }> = {
  400: { title: 'Bad Request', code: 'bad_request' },
  413: { title: 'Payload Too Large', code: 'body_too_large' },
  415: { title: 'Unsupported Media Type', code: 'unsupported_media_type' },
};

/**
 * SQLSTATE classes of values the database refuses (22: data exception, e.g. an untranslatable
 * character; 54: program limit exceeded, e.g. an index row too large). The input checks catch these
 * first; this keeps anything they miss a 400 rather than a 500.
 */
function isDataError(error: { code?: unknown }): boolean {
  return typeof error.code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(error.code);
}

/** The 4xx an error deserves when the request caused it, else null. */
function clientErrorStatus(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const e = error as { status?: unknown; statusCode?: unknown; code?: unknown };
  const status =
    typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : null;
  if (status !== null && status >= 400 && status < 500) return status;
  if (error instanceof URIError) return 400;
  return isDataError(e) ? 400 : null;
}

function clientErrorDetail(
  error: { type?: unknown; message?: unknown; expose?: unknown },
  status: number,
): string {
  switch (error.type) {
    case 'entity.too.large':
      return 'body too large';
    case 'charset.unsupported':
      return 'unsupported charset: send JSON as UTF-8';
    case 'encoding.unsupported':
      return 'unsupported content-encoding: send identity, gzip, deflate or br';
  }
  if (status === 400 && isDataError(error as { code?: unknown })) return 'a value cannot be stored';
  // http-errors marks 4xx messages safe to show; others get a generic text.
  return error.expose === true && typeof error.message === 'string' ? error.message : 'bad request';
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
  app.post(
    '/webhooks/kard',
    express.raw({ type: () => true, limit: MAX_BODY.webhooks }),
    async (req, res) => {
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
      // Signed, but holding what cannot be stored (a NUL, a lone surrogate, absurd nesting): refused
      // with the paths, so it shows in Kard's delivery log instead of failing here on every retry.
      const unsafe = unstorable(notification);
      const notificationId = (notification as { data: { id: unknown } }).data.id;
      if (typeof notificationId === 'string' && notificationId.length > MAX_ID_LENGTH) {
        unsafe.unshift(
          issue(
            'data.id',
            `id is ${notificationId.length} characters long`,
            `at most ${MAX_ID_LENGTH} characters`,
          ),
        );
      }
      if (unsafe.length > 0) {
        logger.warn({ issues: unsafe.length }, 'webhook rejected: unstorable payload');
        res.status(400).json({ error: 'malformed notification payload', issues: unsafe });
        return;
      }
      const outcome = await recordNotification(db, notification);
      const data = (notification as { data: { id: string; type: string } }).data;
      logger.info(
        { notificationId: data.id, type: data.type, outcome: outcome.notification, reward: outcome.reward },
        'webhook received',
      );
      res.status(200).json({
        received: true,
        duplicate: outcome.notification === 'duplicate',
        ...(outcome.reward ? { reward: outcome.reward } : {}),
      });
    },
  );

  // The card processor's webhooks: authenticated by the processor's signature, like Kard's above.
  registerProcessorRoutes(app, {
    db,
    logger,
    config: deps.processors ?? { secrets: {} },
    ...(deps.onQueued ? { onQueued: deps.onQueued } : {}),
  });

  // Everything below needs an API key (Authorization: Bearer <key>); refusals are logged without it.
  if (deps.auth.mode === 'keys') {
    app.use(
      requireApiKey(deps.auth, (req, reason) =>
        logger.warn({ method: req.method, path: req.path, ip: req.ip, reason }, 'request refused: API key'),
      ),
    );
  }

  // Ids in a path are checked like ids in a body: a NUL, a lone surrogate or 256+ characters is a 400.
  app.param('id', (_req, res, next, value: string) => {
    const bad = badId(value);
    if (bad) {
      badRequest(res, 'invalid id in the path', [
        {
          path: ':id',
          rule: bad.rule,
          severity: 'error',
          message: bad.message,
          ...(bad.expected ? { expected: bad.expected } : {}),
        },
      ]);
      return;
    }
    next();
  });

  // Card events from the issuer's processor → validated → outbox → 202.
  app.post(
    '/transactions',
    express.json({ limit: MAX_BODY.transactions, type: () => true }),
    async (req, res) => {
      const parsed = parseIntake(req.body);
      if (!parsed.ok) {
        badRequest(res, 'invalid transaction events; nothing was stored', parsed.issues);
        return;
      }
      const rejected = parsed.rejected.map((r) => ({
        index: r.index,
        id: r.id,
        status: 'rejected' as const,
        errors: r.issues.map((x) => ({ status: '400', ...x })),
      }));
      const issues = parsed.rejected.flatMap((r) => r.issues);
      if (parsed.events.length === 0) {
        res.status(400).json({
          error: 'invalid transaction events; nothing was stored',
          issues: [...issues, ...parsed.warnings],
          events: rejected,
        });
        return;
      }
      // The answer is sent only after the rows are committed: an answered event is a durable event.
      const { queued, duplicates } = await enqueue(db, parsed.events);
      if (queued.length > 0) deps.onQueued?.();
      // 202 when every event was taken; 207 when some were rejected (each with its own errors).
      res.status(rejected.length > 0 ? 207 : 202).json({
        queued: queued.length,
        duplicates: duplicates.length,
        ...(rejected.length > 0 ? { rejected: rejected.length, issues } : {}),
        events: [
          ...queued.map((id) => ({ id, status: 'queued' })),
          ...duplicates.map((id) => ({ id, status: 'duplicate' })),
          ...rejected,
        ],
        warnings: parsed.warnings,
      });
    },
  );

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
  app.post('/users', express.json({ limit: MAX_BODY.users, type: () => true }), async (req, res) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
      string,
      unknown
    >;
    const id = single(body.id);
    if (!id) {
      badRequest(res, 'invalid user', [issue('id', 'required: the issuer user id')]);
      return;
    }
    const unsafe = [...idIssues({ id }, (f) => f), ...unstorable(body)];
    if (unsafe.length > 0) {
      badRequest(res, 'invalid user', unsafe);
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

  // The last word on every error. Anything the client caused (bad JSON, a body too large, an
  // unsupported charset or content-encoding, a bad percent-encoding in the path, a value the
  // database refuses) gets its 4xx; only a fault of this service is a 500.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = clientErrorStatus(error);
    if (error?.type === 'entity.parse.failed') {
      badRequest(res, 'body is not valid JSON; nothing was stored', [issue('', 'body is not valid JSON')]);
      return;
    }
    if (status !== null) {
      const { title, code } = CLIENT_ERRORS[status] ?? { title: 'Bad Request', code: 'bad_request' };
      const detail = clientErrorDetail(error, status);
      res.status(status).json({ error: detail, ...errorDocument(status, title, detail, code) });
      return;
    }
    const mapped = kard.describeError(error);
    if (mapped) {
      res.status(mapped.status).json(mapped.body);
      return;
    }
    logger.error({ err: error }, 'request failed');
    res
      .status(500)
      .json({ error: 'internal error', ...errorDocument(500, 'Internal Server Error', 'internal error') });
  };
  app.use(onError);
  return app;
}
