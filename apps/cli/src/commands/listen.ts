import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NOTIFICATION_TYPE } from '@kardkit/schemas';
import type { GlobalFlags } from '../config.js';
import { EXIT, UsageError } from '../errors.js';
import { type Io, paint, useColor, writeJson } from '../output.js';
import { withSession } from '../session.js';
import { requireLocalSandbox } from './local-sandbox.js';
import { EXIT_INTERRUPTED } from './mock.js';

/** What one forwarded webhook is called in the output: v2 data.type and data.id, or the legacy webhook's transaction. */
export function describeWebhook(raw: Buffer): { type: string; id: string } {
  try {
    const body = JSON.parse(raw.toString('utf8')) as {
      data?: { type?: unknown; id?: unknown };
      transaction?: { issuerTransactionId?: unknown };
      user?: unknown;
    };
    if (body?.data && typeof body.data.type === 'string')
      return { type: body.data.type, id: typeof body.data.id === 'string' ? body.data.id : '-' };
    if (body?.user && body.transaction)
      return { type: 'legacyEarnedReward', id: String(body.transaction.issuerTransactionId ?? '-') };
  } catch {
    /* not JSON: forwarded all the same */
  }
  return { type: 'unknown', id: '-' };
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * `kard listen --forward-to URL`: subscribes a local receiver to the sandbox's webhooks and forwards
 * each one — the exact bytes with their `notify-signature`, so it verifies with the sandbox's webhook
 * secret (R106) — to URL, printing one line per delivery (type, id, status, ms). The target's status
 * is the sandbox's answer, so its retries and the dashboard show what the app did. On Ctrl-C (130)
 * or `signal` (0) the subscriptions are disabled.
 */
export async function runListen(
  opts: { forwardTo: string; events?: string; json?: boolean },
  flags: GlobalFlags,
  io: Io,
  signal?: AbortSignal,
): Promise<number> {
  let target: URL;
  try {
    target = new URL(opts.forwardTo);
  } catch {
    throw new UsageError(
      `--forward-to must be a URL such as http://127.0.0.1:3000/webhooks (got "${opts.forwardTo}")`,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new UsageError(`--forward-to must be an http or https URL (got "${opts.forwardTo}")`);
  const events = opts.events
    ? opts.events
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)
    : [...NOTIFICATION_TYPE];
  const unknown = events.filter((e) => !(NOTIFICATION_TYPE as readonly string[]).includes(e));
  if (unknown.length > 0 || events.length === 0)
    throw new UsageError(
      `--events: unknown event ${unknown.join(', ') || '(none given)'}; one or more of: ${NOTIFICATION_TYPE.join(', ')}`,
    );

  return withSession(
    flags,
    io,
    async (session) => {
      requireLocalSandbox(session.baseUrl, 'kard listen', 'Kard cannot reach a receiver on this machine');
      const p = paint(useColor(io.stdout, io.env));
      const line = (s: string) => io.stdout.write(`${s}\n`);

      const forward = async (req: IncomingMessage, res: ServerResponse) => {
        const raw = await readRaw(req);
        const { type, id } = describeWebhook(raw);
        const started = Date.now();
        const headers: Record<string, string> = {
          'content-type': req.headers['content-type'] ?? 'application/json',
        };
        const sig = req.headers['notify-signature'];
        if (typeof sig === 'string') headers['notify-signature'] = sig;
        let status: number | undefined;
        let error: string | undefined;
        try {
          const r = await fetch(target, {
            method: 'POST',
            headers,
            body: new Uint8Array(raw),
            signal: AbortSignal.timeout(30_000),
          });
          await r.arrayBuffer().catch(() => undefined);
          status = r.status;
        } catch (e) {
          const cause = (e as { cause?: { code?: string; message?: string } }).cause;
          error = cause?.code ?? cause?.message ?? (e as Error).message;
        }
        const ms = Date.now() - started;
        if (opts.json) writeJson(io, { type, id, status: status ?? null, ms, ...(error ? { error } : {}) });
        else {
          const shown =
            status === undefined
              ? p.red(`error ${error}`)
              : status >= 200 && status < 300
                ? p.green(String(status))
                : p.red(String(status));
          line(`${new Date().toISOString()}  ${type}  ${id}  → ${shown}  ${ms}ms`);
        }
        // the sandbox sees what the app answered (502 when it could not be reached)
        res.writeHead(status ?? 502);
        res.end();
      };

      const server = createServer((req, res) => {
        forward(req, res).catch(() => {
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kard-listen`;
      const org = session.organizationId;
      const ids: string[] = [];
      try {
        const created = await session.client.request<{ data: { id: string }[] }>({
          method: 'POST',
          url: `/v2/issuers/${encodeURIComponent(org)}/subscriptions`,
          json: {
            data: events.map((eventName) => ({
              type: 'subscription',
              attributes: { eventName, webhookUrl: receiverUrl, enabled: true },
            })),
          },
          auth: true,
        });
        for (const s of created.data.data) ids.push(s.id);
        const intro = `Ready: forwarding ${events.length === NOTIFICATION_TYPE.length ? 'every' : events.length} webhook type${events.length === 1 ? '' : 's'} of ${session.baseUrl} to ${target.href} (Ctrl-C to stop)`;
        if (opts.json) io.stderr.write(`kard: ${intro}\n`);
        else {
          line(p.bold(intro));
          line(
            "Bodies and notify-signature are forwarded unchanged: verify them with the sandbox's webhook secret (KARD_WEBHOOK_SECRET as printed by kard mock).",
          );
        }
        return await new Promise<number>((resolve) => {
          const onInt = () => done(EXIT_INTERRUPTED);
          const onTerm = () => done(EXIT.ok);
          const done = (c: number) => {
            process.off('SIGINT', onInt);
            process.off('SIGTERM', onTerm);
            signal?.removeEventListener('abort', onTerm);
            resolve(c);
          };
          process.once('SIGINT', onInt);
          process.once('SIGTERM', onTerm);
          if (signal?.aborted) onTerm();
          else signal?.addEventListener('abort', onTerm, { once: true });
        });
      } finally {
        // Leave nothing pointing at a receiver that is gone.
        await Promise.allSettled(
          ids.map((id) =>
            session.client.request({
              method: 'PATCH',
              url: `/v2/issuers/${encodeURIComponent(org)}/subscriptions/${encodeURIComponent(id)}`,
              json: { data: { type: 'subscription', id, attributes: { enabled: false } } },
              auth: true,
            }),
          ),
        );
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
      }
    },
    { needsRunningSandbox: 'kard listen needs a sandbox that lasts to receive webhooks from' },
  );
}
