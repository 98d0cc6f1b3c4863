/**
 * Webhooks from the issuer's card processor, straight in: `POST /processors/stripe`,
 * `/processors/lithic` and `/processors/marqeta`. Like Kard's own webhook, these routes are
 * authenticated by the processor's signature over the raw body (with the secret the processor
 * gave, from STRIPE_WEBHOOK_SECRET, LITHIC_WEBHOOK_SECRET, MARQETA_WEBHOOK_SECRET), not by an API
 * key. A verified event is mapped to Kard transaction events with @kardkit/processors and goes
 * through the same intake and outbox as `POST /transactions`: validated, committed, forwarded;
 * a processor's redelivery maps to the same event ids and is stored once.
 *
 * Answers: 202 when events were queued; 200 when there was nothing new to queue (a redelivery, or
 * an event that is not for Kard). 422 when a Kard event it maps to breaks a rule (for example no
 * BIN configured for its card, R4): the event's other Kard events (a Marqeta webhook can carry
 * several transactions) are queued first, and the 422 makes the processor deliver the webhook
 * again, with backoff, so nothing is lost: once the cause is fixed a redelivery goes through, and
 * the events already queued are duplicates by id. 400 when the body is not JSON, 401 when the
 * signature does not verify (nothing stored), 503 when the route's secret is not configured (the
 * processor keeps retrying, so nothing is lost once it is set).
 */
import {
  type CardholderRef,
  fromLithic,
  fromMarqetaEach,
  fromStripeIssuing,
  type MapOptions,
  type MapResult,
  verifyLithicWebhook,
  verifyMarqetaWebhook,
  verifyStripeIssuingWebhook,
  type WebhookHeaders,
  WebhookSignatureError,
} from '@kardkit/processors';
import type { ValidationIssue } from '@kardkit/schemas';
import express, { type Express, type Response } from 'express';
import type { Logger } from 'pino';
import { errorDocument } from './auth.js';
import type { Queryable } from './db.js';
import { parseIntake } from './intake.js';
import { MAX_BODY } from './limits.js';
import { enqueue } from './outbox.js';

export type ProcessorRoute = 'stripe' | 'lithic' | 'marqeta';

export interface ProcessorsConfig {
  /** The webhook secret of each processor whose route is on (a route without one answers 503). */
  secrets: Partial<Record<ProcessorRoute, string>>;
  /**
   * The BIN of the cards, their first 6 digits (SAMPLE_CARD_BIN): processors leave it out of their
   * webhooks, Kard requires it on every event (R4). An event that carries its own BIN keeps it. A
   * function gives one per card (several card programs).
   */
  cardBin?: MapOptions['cardBin'];
  /**
   * The last four digits of a card that an event names by id only (Stripe's issuing_transaction.*,
   * Lithic's transactions): Kard requires cardLastFour. Look the card up in your own records or
   * with the processor's API (Stripe `issuing.cards.retrieve`, Lithic `GET /v1/cards/{card_token}`).
   * Without it, or when it returns undefined, the last four digits of the transaction's APPROVED
   * event in the outbox are used (a Stripe capture after its authorization).
   */
  cardLastFour?: (ref: CardholderRef) => string | undefined | Promise<string | undefined>;
}

interface Processor {
  /** Where the secret comes from. */
  env: string;
  label: string;
  /** One result per transaction the webhook carries (Marqeta's can carry several; the others one). */
  map: (
    event: unknown,
    opts: MapOptions & { cardLastFour?: (ref: CardholderRef) => string | undefined },
  ) => MapResult[];
  verify: (rawBody: Uint8Array, headers: WebhookHeaders, secret: string) => Promise<unknown>;
}

export const PROCESSORS: Readonly<Record<ProcessorRoute, Processor>> = {
  stripe: {
    env: 'STRIPE_WEBHOOK_SECRET',
    label: 'Stripe Issuing',
    map: (event, opts) => [fromStripeIssuing(event, opts)],
    verify: verifyStripeIssuingWebhook,
  },
  lithic: {
    env: 'LITHIC_WEBHOOK_SECRET',
    label: 'Lithic',
    map: (event, opts) => [fromLithic(event, opts)],
    verify: verifyLithicWebhook,
  },
  marqeta: {
    env: 'MARQETA_WEBHOOK_SECRET',
    label: 'Marqeta',
    map: fromMarqetaEach,
    verify: (rawBody, headers, secret) => verifyMarqetaWebhook(rawBody, headers, secret),
  },
};

export interface ProcessorRouteDeps {
  db: Queryable;
  logger: Logger;
  config: ProcessorsConfig;
  onQueued?: () => void;
}

function refuse(res: Response, status: number, title: string, code: string, detail: string): void {
  res.status(status).json({ error: detail, ...errorDocument(status, title, detail, code) });
}

/** An issue without its `expected` text, for logs (paths, rules and messages hold no card data). */
const brief = (i: ValidationIssue) => ({ path: i.path, rule: i.rule, message: i.message });

/**
 * The last four digits of the card of an earlier event of the same transaction, from the outbox.
 * Some events name their card by id only (Stripe's issuing_transaction.* captures and refunds), and
 * Kard requires cardLastFour; the authorization of the same transaction, stored before, has it.
 * Its event id is `<transactionId>:APPROVED` (the id scheme of @kardkit/processors for Stripe and
 * Marqeta), so it is found through the primary key: no scan of the outbox on this path, which
 * runs for every capture. (Lithic's events carry no last four at all: give `cardLastFour`.)
 */
async function lastFourFromOutbox(db: Queryable, transactionIds: string[]): Promise<string | undefined> {
  if (transactionIds.length === 0) return undefined;
  const res = await db.query<{ last4: string }>(
    `SELECT payload #>> '{attributes,cardLastFour}' AS last4
       FROM outbox
      WHERE id = ANY($1::text[]) AND payload #>> '{attributes,cardLastFour}' IS NOT NULL
      LIMIT 1`,
    [transactionIds.map((t) => `${t}:APPROVED`)],
  );
  return res.rows[0]?.last4;
}

const missesLastFour = (r: MapResult) =>
  r.kind === 'invalid' &&
  r.issues.some((i) => i.severity === 'error' && i.path.endsWith('attributes.cardLastFour'));

/** Registers the three processor routes on `app` (before the API-key guard: they carry signatures). */
export function registerProcessorRoutes(app: Express, deps: ProcessorRouteDeps): void {
  const { db, logger, config } = deps;
  for (const [name, p] of Object.entries(PROCESSORS) as [ProcessorRoute, Processor][]) {
    app.post(
      `/processors/${name}`,
      // The signature covers the exact bytes, so the body stays raw here.
      express.raw({ type: () => true, limit: MAX_BODY.webhooks }),
      async (req, res) => {
        const secret = config.secrets[name];
        if (!secret) {
          refuse(
            res,
            503,
            'Service Unavailable',
            'processor_not_configured',
            `${p.label} webhooks are not configured here: set ${p.env} to the endpoint's signing secret`,
          );
          return;
        }
        const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        try {
          JSON.parse(rawBody.toString('utf8'));
        } catch {
          refuse(res, 400, 'Bad Request', 'bad_request', 'body is not valid JSON; nothing was stored');
          return;
        }
        let event: unknown;
        try {
          event = await p.verify(rawBody, req.headers, secret);
        } catch (error) {
          if (error instanceof WebhookSignatureError) {
            // The reason names what failed (header, timestamp, mismatch), never the secret.
            logger.warn({ processor: name, reason: error.message }, 'processor webhook rejected: signature');
            refuse(res, 401, 'Unauthorized', 'invalid_signature', error.message);
          } else {
            logger.error(
              { processor: name, err: error },
              'processor webhook: the signature check failed to run',
            );
            refuse(
              res,
              503,
              'Service Unavailable',
              'verification_unavailable',
              'the signature cannot be checked now',
            );
          }
          return;
        }

        const options = config.cardBin ? { cardBin: config.cardBin } : {};
        // The mapping asks for the last four digits only when the event lacks them; the lookup may
        // be asynchronous, so it runs between two (synchronous) mappings.
        let results: MapResult[];
        try {
          let card: CardholderRef | undefined;
          results = p.map(event, {
            ...options,
            cardLastFour: (ref) => {
              card = ref;
              return undefined;
            },
          });
          const lacking = results.filter(missesLastFour);
          if (lacking.length > 0) {
            const transactionIds = [
              ...new Set(
                lacking
                  .flatMap((r) => (r.kind === 'invalid' ? r.events : []))
                  .map((e) => e.attributes.transactionId),
              ),
            ];
            const lastFour =
              (card && (await config.cardLastFour?.(card))) ?? (await lastFourFromOutbox(db, transactionIds));
            if (lastFour) results = p.map(event, { ...options, cardLastFour: () => lastFour });
          }
        } catch (error) {
          // A card lookup that failed (the processor's API down) or a fault of the mapping: a 5xx,
          // so the processor delivers the event again later.
          logger.error({ processor: name, err: error }, 'processor webhook: the event could not be mapped');
          refuse(
            res,
            503,
            'Service Unavailable',
            'mapping_failed',
            'the event cannot be mapped now; send it again later',
          );
          return;
        }

        const skipped = results.flatMap((r) =>
          r.kind === 'skip' ? [{ code: r.code, reason: r.reason }] : [],
        );
        // With several transactions in one webhook, each issue names its transaction (its index).
        const several = results.length > 1;
        const invalid = results.flatMap((r, i) =>
          r.kind === 'invalid'
            ? r.issues
                .filter((x) => x.severity === 'error')
                .map((x) => (several ? { transaction: i, ...x } : x))
            : [],
        );
        if (invalid.length === 0 && results.every((r) => r.kind === 'skip')) {
          logger.info({ processor: name, skipped }, 'processor webhook skipped');
          res
            .status(200)
            .json({ processor: name, outcome: 'skipped', ...skipped[0], ...(several ? { skipped } : {}) });
          return;
        }
        const mapped = results.flatMap((r) => (r.kind === 'events' ? r.events : []));
        const intake = mapped.length > 0 ? parseIntake(mapped) : undefined;
        // The sample's own limits (limits.ts) may still refuse a mapped event.
        const refused =
          intake === undefined ? [] : intake.ok ? intake.rejected.flatMap((r) => r.issues) : intake.issues;
        const queue = intake?.ok ? intake.events : [];
        const issues = [...invalid, ...refused];
        const { queued, duplicates } =
          queue.length > 0 ? await enqueue(db, queue) : { queued: [], duplicates: [] };
        if (queued.length > 0) deps.onQueued?.();
        if (issues.length > 0) {
          logger.warn(
            {
              processor: name,
              events: results.flatMap((r) => (r.kind === 'skip' ? [] : r.events.map((e) => e.id))),
              queued,
              issues: issues.map(brief),
            },
            'processor webhook: some of its Kard events are invalid; the processor will deliver it again',
          );
          res.status(422).json({
            processor: name,
            outcome: 'invalid',
            queued: queued.length,
            duplicates: duplicates.length,
            issues,
            ...(skipped.length > 0 ? { skipped } : {}),
          });
          return;
        }
        // Committed before the answer (above), as for POST /transactions: an answered event is durable.
        logger.info({ processor: name, queued, duplicates }, 'processor webhook received');
        res.status(queued.length > 0 ? 202 : 200).json({
          processor: name,
          outcome: queued.length > 0 ? 'queued' : 'duplicate',
          queued: queued.length,
          duplicates: duplicates.length,
          events: [
            ...queued.map((id) => ({ id, status: 'queued' })),
            ...duplicates.map((id) => ({ id, status: 'duplicate' })),
          ],
          ...(refused.length > 0 ? { issues: refused } : {}),
        });
      },
    );
  }
}
