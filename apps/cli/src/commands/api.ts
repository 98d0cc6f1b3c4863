import { createHash } from 'node:crypto';
import { hashEmail, type KardClient, type PagedList, type PartialResult } from '@kardkit/sdk';
import type { GlobalFlags } from '../config.js';
import { EXIT, UsageError } from '../errors.js';
import { type Io, paint, table, useColor, writeJson } from '../output.js';
import { withSession } from '../session.js';

type Opts = Record<string, string | boolean | undefined>;
type Resource = { type?: string; id?: string; attributes?: Record<string, unknown> };

function str(o: Opts, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' ? v : undefined;
}

function pageSize(o: Opts): number | undefined {
  const v = str(o, 'pageSize');
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--page-size must be a positive integer (got "${v}")`);
  return n;
}

/** Builds a JSON:API query from flags, leaving out what was not given. */
function query(entries: [string, unknown][]): Record<string, unknown> {
  const q: Record<string, unknown> = {};
  for (const [k, v] of entries) if (v !== undefined) q[k] = v;
  return q;
}

function summary(r: Resource, fields: readonly string[]): string[] {
  const a = r.attributes ?? {};
  return [
    String(r.id ?? ''),
    ...fields.map((f) => fmt(f.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown>)?.[k], a))),
  ];
}

function fmt(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function printList(io: Io, items: Resource[], fields: readonly string[], json: boolean, raw?: unknown): void {
  if (json) {
    writeJson(io, raw ?? { data: items });
    return;
  }
  if (items.length === 0) {
    io.stdout.write('(none)\n');
    return;
  }
  const p = paint(useColor(io.stdout, io.env));
  io.stdout.write(
    `${table(
      items.map((i) => summary(i, fields)),
      ['ID', ...fields].map((h) => p.bold(h.toUpperCase())),
    )}\n`,
  );
}

/** Prints the first page of a paged list, or every page with --all. */
async function showList(
  io: Io,
  o: Opts,
  list: PagedList<unknown>,
  fields: readonly string[],
): Promise<number> {
  const items: Resource[] = [];
  if (o.all === true) for await (const item of list) items.push(item as Resource);
  else items.push(...((await list.page()).items as Resource[]));
  printList(io, items, fields, o.json === true);
  return EXIT.ok;
}

function printOne(io: Io, body: unknown, json: boolean): void {
  if (json) {
    writeJson(io, body);
    return;
  }
  const data = (body as { data?: Resource })?.data;
  if (data && !Array.isArray(data) && typeof data === 'object') {
    const lines = [`${data.type ?? 'resource'} ${data.id ?? ''}`.trim()];
    for (const [k, v] of Object.entries(data.attributes ?? {})) lines.push(`  ${k}: ${fmt(v)}`);
    io.stdout.write(`${lines.join('\n')}\n`);
  } else {
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  }
}

async function userAttributes(o: Opts, forCreate: boolean): Promise<Record<string, unknown>> {
  const attrs: Record<string, unknown> = {};
  const enrolled = str(o, 'enrolled');
  if (enrolled !== undefined || forCreate) {
    attrs.enrolledRewards = (enrolled ?? 'CARDLINKED')
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter(Boolean);
  }
  const email = str(o, 'email');
  if (email) {
    // R42: send the HEM, not the address; a malformed address is a usage error, not an API failure.
    try {
      attrs.hashedEmail = await hashEmail(email);
    } catch {
      throw new UsageError(
        `--email ${JSON.stringify(email)} is not an email address (R42: exactly one @ with text on both sides)`,
      );
    }
  }
  const zip = str(o, 'zip');
  if (zip) attrs.zipCode = zip;
  if (o.historicalSent) attrs.historicalTransactionsSent = true; // R40: one-way
  return attrs;
}

/** auditDescription is required (openapi/kard.yaml schema `AuditAttributes`): a default for the codes that say it all. */
const AUDIT_DESCRIPTIONS: Record<string, string> = {
  '3005': 'Incorrect cashback.',
  '3006': 'Missing cashback.',
};

/**
 * The columns of each human table: attribute paths of the items the operation returns (its
 * operationId in openapi/kard.yaml); the ID column is the item's `id`. A test checks every path
 * against the spec, so no column stays empty because it names a field Kard does not send.
 */
export const TABLES = {
  'offers.list': {
    operationId: 'users.offers.list',
    columns: ['name', 'purchaseChannel', 'userReward.type', 'userReward.value', 'expirationDate'],
  },
  'locations.list': {
    operationId: 'users.locations.list',
    columns: ['name', 'address.city', 'address.state'],
  },
  'rewards.earned': {
    operationId: 'users.earnedRewards.list',
    columns: ['status', 'transactionId', 'transactionAmountInCents', 'transactionTimestamp'],
  },
  'subscriptions.list': {
    operationId: 'subscriptions.list',
    columns: ['eventName', 'webhookUrl', 'enabled'],
  },
  'notifications.list': { operationId: 'notifications.list', columns: ['eventName', 'status', 'timestamp'] },
} as const satisfies Record<string, { operationId: string; columns: readonly string[] }>;

type Handler = (client: KardClient, args: unknown[], o: Opts, io: Io) => Promise<number>;

const handlers: Record<string, Handler> = {
  async 'users.create'(client, [id], o, io) {
    const res = (await client.users.create([
      { type: 'user', id: String(id), attributes: (await userAttributes(o, true)) as never },
    ] as never)) as unknown as PartialResult;
    if (res.rejected.length > 0) {
      const e = res.rejected[0]!.error;
      if (o.json) writeJson(io, res.response);
      io.stderr.write(`kard: user ${String(id)} rejected: ${e?.detail ?? e?.title ?? 'unknown reason'}\n`);
      return EXIT.data;
    }
    if (o.json) writeJson(io, res.response);
    else io.stdout.write(`created user ${String(id)}\n`);
    return EXIT.ok;
  },
  async 'users.get'(client, [id], o, io) {
    printOne(io, await client.users.get(String(id)), o.json === true);
    return EXIT.ok;
  },
  async 'users.update'(client, [id], o, io) {
    const userId = String(id);
    const attrs = await userAttributes(o, false);
    if (attrs.enrolledRewards === undefined) {
      // PUT still needs enrolledRewards (R39): keep the current value.
      const current = (await client.users.get(userId)) as { data?: Resource };
      attrs.enrolledRewards = current?.data?.attributes?.enrolledRewards ?? ['CARDLINKED'];
    }
    const res = await client.users.update(userId, {
      data: { type: 'user', id: userId, attributes: attrs },
    } as never);
    if (o.json) writeJson(io, res);
    else io.stdout.write(`updated user ${userId}\n`);
    return EXIT.ok;
  },
  async 'users.delete'(client, [id], o, io) {
    const res = await client.users.delete(String(id));
    if (o.json) writeJson(io, res);
    else io.stdout.write(`deleted user ${String(id)}\n`);
    return EXIT.ok;
  },
  // openapi/kard.yaml operation `users.audits.create` (schema `AuditAttributes`, R50).
  async 'audits.create'(client, _a, o, io) {
    const userId = String(o.user);
    const transactionId = String(o.transaction);
    const code = String(o.code);
    const description = str(o, 'description') ?? AUDIT_DESCRIPTIONS[code];
    if (!description)
      throw new UsageError('--code 8001 (other) needs --description saying what is wrong (R50)');
    const res = (await client.users.audits.create(userId, [
      {
        type: 'audit',
        attributes: {
          auditCode: Number(code) as never,
          merchantName: String(o.merchant),
          auditDescription: description,
          transactionId,
        },
      },
    ])) as unknown as PartialResult<unknown, { data?: Resource[] }>;
    if (o.json) writeJson(io, res.response);
    if (res.rejected.length > 0) {
      const e = res.rejected[0]!.error;
      io.stderr.write(
        `kard: audit of transaction ${transactionId} rejected: ${e?.detail ?? e?.title ?? 'unknown reason'}\n`,
      );
      return EXIT.data;
    }
    if (!o.json) {
      const audit = res.response?.data?.[0];
      io.stdout.write(`audit ${audit?.id ?? '(no id)'} requested for transaction ${transactionId}\n`);
    }
    return EXIT.ok;
  },
  async 'offers.list'(client, _a, o, io) {
    return showList(
      io,
      o,
      client.users.offers.list(
        String(o.user),
        query([
          ['filter[search]', str(o, 'search')],
          ['filter[category]', str(o, 'category')],
          ['page[size]', pageSize(o)],
          ['include', str(o, 'include')],
        ]) as never,
      ),
      TABLES['offers.list'].columns,
    );
  },
  async 'locations.list'(client, _a, o, io) {
    if (!str(o, 'user')) throw new UsageError('locations are listed per user: pass --user <id>');
    if ((str(o, 'lat') === undefined) !== (str(o, 'long') === undefined)) {
      throw new UsageError('--lat and --long go together (R62)');
    }
    if (str(o, 'radius') && !str(o, 'lat')) throw new UsageError('--radius needs --lat and --long (R62)');
    return showList(
      io,
      o,
      client.users.locations.list(
        String(o.user),
        query([
          ['filter[latitude]', str(o, 'lat') !== undefined ? Number(o.lat) : undefined],
          ['filter[longitude]', str(o, 'long') !== undefined ? Number(o.long) : undefined],
          ['filter[radius]', str(o, 'radius') !== undefined ? Number(o.radius) : undefined],
          ['filter[city]', str(o, 'city')],
          ['filter[state]', str(o, 'state')],
          ['filter[zipCode]', str(o, 'zip')],
          ['filter[category]', str(o, 'category')],
          ['page[size]', pageSize(o)],
        ]) as never,
      ),
      TABLES['locations.list'].columns,
    );
  },
  async 'rewards.earned'(client, _a, o, io) {
    return showList(
      io,
      o,
      client.users.earnedRewards.list(
        String(o.user),
        query([
          ['filter[status]', str(o, 'status')],
          ['filter[paidInFullOnly]', o.paidInFullOnly ? true : undefined],
          ['include', str(o, 'include')],
          ['page[size]', pageSize(o)],
        ]) as never,
      ),
      TABLES['rewards.earned'].columns,
    );
  },
  async 'subscriptions.list'(client, _a, o, io) {
    const res = (await client.subscriptions.list()) as { data?: Resource[] };
    printList(io, res?.data ?? [], TABLES['subscriptions.list'].columns, o.json === true, res);
    return EXIT.ok;
  },
  async 'subscriptions.create'(client, _a, o, io) {
    const res = (await client.subscriptions.create({
      data: [
        {
          type: 'subscription',
          attributes: { eventName: str(o, 'event'), webhookUrl: str(o, 'url'), enabled: !o.disabled },
        },
      ],
    } as never)) as { data?: Resource[] };
    if (o.json) writeJson(io, res);
    else
      for (const s of res?.data ?? [])
        io.stdout.write(`created subscription ${s.id} (${fmt(s.attributes?.eventName)})\n`);
    return EXIT.ok;
  },
  async 'subscriptions.update'(client, [id], o, io) {
    if (o.enable && o.disable) throw new UsageError('--enable and --disable are exclusive');
    const attributes = query([
      ['eventName', str(o, 'event')],
      ['webhookUrl', str(o, 'url')],
      ['enabled', o.enable ? true : o.disable ? false : undefined],
    ]);
    if (Object.keys(attributes).length === 0)
      throw new UsageError('nothing to change: pass --event, --url, --enable or --disable');
    const res = await client.subscriptions.update(String(id), {
      data: { type: 'subscription', attributes },
    } as never);
    if (o.json) writeJson(io, res);
    else io.stdout.write(`updated subscription ${String(id)}\n`);
    return EXIT.ok;
  },
  async 'notifications.list'(client, _a, o, io) {
    return showList(
      io,
      o,
      client.notifications.list(
        query([
          ['filter[after]', str(o, 'after')],
          ['filter[before]', str(o, 'before')],
          ['page[size]', pageSize(o)],
        ]) as never,
      ),
      TABLES['notifications.list'].columns,
    );
  },
  async 'notifications.replay'(client, [id], o, io) {
    const res = await client.notifications.replay(String(id));
    if (o.json) writeJson(io, res);
    else io.stdout.write(`replay of ${String(id)} queued\n`);
    return EXIT.ok;
  },
  async ping(client, _a, o, io) {
    const started = Date.now();
    // GET /v2/ping (openapi/kard.yaml `ping`) needs no token by itself; sent authenticated, it first
    // obtains one (POST /v2/auth/token), so a wrong client id or secret fails here (exit 3).
    const res = (
      await client.request<{ message?: string; status?: string }>({
        method: 'GET',
        url: '/v2/ping',
        auth: true,
      })
    ).data;
    const ms = Date.now() - started;
    if (o.json) writeJson(io, { ok: true, authenticated: true, ms, response: res });
    else io.stdout.write(`ok: ${res?.message ?? res?.status ?? 'pong'}, credentials accepted (${ms} ms)\n`);
    return EXIT.ok;
  },
};

/** `kard auth token`: fetches a token and shows its type and lifetime; the token and the secret are never printed. */
async function authToken(
  client: KardClient,
  creds: { clientId: string; clientSecret: string },
  o: Opts,
  io: Io,
): Promise<number> {
  const res = await client.request<{
    access_token?: string;
    expires_in?: number;
    token_type?: string;
    scope?: string;
  }>({
    method: 'POST',
    url: '/v2/auth/token',
    json: { client_id: creds.clientId, client_secret: creds.clientSecret },
    auth: false,
  });
  const body = res.data ?? {};
  const token = body.access_token ?? '';
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : null;
  const info = {
    tokenType: body.token_type ?? 'Bearer',
    expiresIn,
    expiresAt: expiresIn !== null ? new Date(Date.now() + expiresIn * 1000).toISOString() : null,
    scope: body.scope ?? null,
    // A fingerprint identifies the token in logs without revealing it.
    fingerprint: token ? `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 12)}` : null,
  };
  if (o.json) writeJson(io, info);
  else
    io.stdout.write(
      `token type: ${info.tokenType}\nexpires in: ${expiresIn ?? 'unknown'} s${info.expiresAt ? ` (at ${info.expiresAt})` : ''}\n${info.scope ? `scope: ${info.scope}\n` : ''}fingerprint: ${info.fingerprint}\n`,
    );
  return EXIT.ok;
}

export async function runApiCommand(
  op: string,
  args: unknown[],
  o: Opts,
  flags: GlobalFlags,
  io: Io,
): Promise<number> {
  return withSession(flags, io, (session) => {
    if (op === 'auth.token') {
      const cfg = session.mock
        ? { clientId: session.mock.clientId, clientSecret: session.mock.clientSecret }
        : { clientId: session.config.clientId!, clientSecret: session.config.clientSecret! };
      return authToken(session.client, cfg, o, io);
    }
    const handler = handlers[op];
    if (!handler) throw new UsageError(`unknown command ${op}`);
    return handler(session.client, args, o, io);
  });
}
