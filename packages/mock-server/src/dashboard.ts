// The sandbox's dashboard: GET / serves a plain HTML/CSS/JS page (packages/mock-server/dashboard/,
// no build step, no CDN) that shows users, received transactions, rewards, webhook deliveries and
// faults, updated live through server-sent events.
//
// Authentication: HTTP Basic with the sandbox's own client id and secret (the ones `kard mock`
// prints), so the page reveals nothing to another local user or to a web page that does not know
// them. Writes also need the page's own Origin (no cross-site form posts) and a JSON body, and the
// Host must name this loopback server (no DNS rebinding).
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChangeTopic, type MockCore, NOTIFICATION_TYPES } from './core.js';
import { validateFaultConfig } from './faults.js';
import { apiError, type Reply, reply } from './http.js';
import type { FaultConfig } from './types.js';

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/__dashboard/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/__dashboard/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** The dashboard's files, next to src/ and dist/ in the package. */
function assetDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'dashboard');
}

const cache = new Map<string, Buffer>();
function asset(file: string): Buffer {
  let b = cache.get(file);
  if (!b) {
    b = readFileSync(join(assetDir(), file));
    cache.set(file, b);
  }
  return b;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function isDashboardPath(path: string): boolean {
  return path === '/' || path === '/index.html' || path.startsWith('/__dashboard/');
}

/** The JSON the page renders. Secrets (client secret, tokens) are not part of it. */
export function dashboardState(core: MockCore): unknown {
  const rewards = [...core.rewards.values()].flat().map((r) => ({
    userId: r.userId,
    merchant: r.offer.name,
    offerId: r.offer.id,
    transactionId: r.transactionId,
    status: r.status,
    amount: r.amount,
    rewardCents: r.rewardCents,
    timestamp: r.timestamp,
  }));
  return {
    sandbox: { url: core.baseUrl, organizationId: core.opts.organizationId },
    stats: core.stats,
    users: [...core.users.values()],
    transactions: core.received.slice(-200).reverse(),
    rewards: rewards.reverse(),
    deliveries: core.dispatcher.log
      .slice(-200)
      .reverse()
      .map((n) => ({
        eventId: n.eventId,
        eventName: n.eventName,
        timestamp: n.timestamp,
        lastAttemptAt: n.lastAttemptAt,
        status: n.status,
        attempts: n.attempts,
        statusCode: n.statusCode ?? null,
        errorMessage: n.errorMessage ?? null,
        signature: n.signature ?? null,
        targets: n.targets,
        payload: n.rawBody,
      })),
    subscriptions: [...core.subscriptions.values()],
    faults: core.faults.config(),
    notificationTypes: NOTIFICATION_TYPES,
  };
}

export interface DashboardContext {
  core: MockCore;
  clientId: string;
  clientSecret: string;
  port: number;
}

function unauthorized(res: ServerResponse): void {
  const body =
    'The sandbox dashboard needs the client id and secret kard mock printed (user name / password).';
  res.writeHead(401, {
    'www-authenticate': 'Basic realm="kard sandbox", charset="UTF-8"',
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...SECURITY_HEADERS,
  });
  res.end(body);
}

function authorized(req: IncomingMessage, ctx: DashboardContext): boolean {
  return ctx.core.basicAuthOk(req.headers.authorization);
}

/** Host must be this server on loopback: a rebinding name pointing at 127.0.0.1 is refused. */
function hostOk(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host ?? '';
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** Writes come from the page itself: same Origin, JSON body (so a cross-site form cannot post). */
function writeOk(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  const own = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
  return own && (req.headers['content-type'] ?? '').includes('application/json');
}

/**
 * Serves the dashboard and its API. Returns a Reply for ordinary answers, or null when it answered
 * itself (the event stream, 401).
 */
export function handleDashboard(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: unknown,
  ctx: DashboardContext,
): Reply | null {
  const method = req.method ?? 'GET';
  if (!hostOk(req, ctx.port)) return apiError(403, 'the dashboard answers on 127.0.0.1 or localhost only');
  if (!authorized(req, ctx)) {
    unauthorized(res);
    return null;
  }
  const file = ASSETS[path === '/index.html' ? '/' : path];
  if (file && method === 'GET') {
    let raw: Buffer;
    try {
      raw = asset(file.file);
    } catch {
      // e.g. the package was bundled and its dashboard/ folder left behind
      return apiError(404, `the dashboard file ${file.file} is not installed next to @kardkit/mock-server`);
    }
    return { status: 200, raw, headers: { 'content-type': file.type, ...SECURITY_HEADERS } };
  }
  if (method === 'GET' && path === '/__dashboard/api/state')
    return { ...reply(200, dashboardState(ctx.core)), headers: { ...SECURITY_HEADERS } };
  if (method === 'GET' && path === '/__dashboard/api/events') {
    openEventStream(req, res, ctx.core);
    return null;
  }
  if (method === 'POST' || method === 'DELETE') {
    if (!writeOk(req, ctx.port))
      return apiError(403, 'dashboard writes must come from the dashboard page (same origin, JSON)');
    if (method === 'POST' && path === '/__dashboard/api/faults') {
      const err = validateFaultConfig(body);
      if (err) return apiError(400, err);
      ctx.core.faults.set(body as FaultConfig);
      ctx.core.changed('faults');
      return reply(200, { faults: ctx.core.faults.config() });
    }
    if (method === 'DELETE' && path === '/__dashboard/api/faults') {
      ctx.core.faults.clear();
      ctx.core.changed('faults');
      return reply(200, { faults: null });
    }
    const m = /^\/__dashboard\/api\/deliveries\/([^/]+)\/replay$/.exec(path);
    if (method === 'POST' && m) {
      const rec = ctx.core.dispatcher.get(decodeURIComponent(m[1]!));
      if (!rec) return apiError(404, 'no such delivery');
      const targets = ctx.core.targetsFor(rec.eventName);
      if (targets.length === 0) return apiError(409, `no enabled subscription for ${rec.eventName} (R73)`);
      void ctx.core.dispatcher.deliver(rec, targets);
      return reply(202, { eventId: rec.eventId, targets });
    }
  }
  return apiError(404, `no such dashboard route: ${method} ${path}`);
}

/** Server-sent events: one `change` event (data: the topic) per state change, a comment every 15 s. */
function openEventStream(req: IncomingMessage, res: ServerResponse, core: MockCore): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    connection: 'keep-alive',
    ...SECURITY_HEADERS,
  });
  res.write('retry: 1000\n\n');
  const onChange = (topic: ChangeTopic) => {
    res.write(`event: change\ndata: ${topic}\n\n`);
  };
  core.events.on('change', onChange);
  const ping = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  ping.unref();
  const stop = () => {
    clearInterval(ping);
    core.events.off('change', onChange);
  };
  req.on('close', stop);
  res.on('close', stop);
}
