import { randomInt, randomUUID } from 'node:crypto';
import {
  safeParseContentStrategyRequest,
  safeParseCreateChildOrganizationRequest,
  safeParseCreatePlacementRequest,
  safeParseUpdateChildOrganizationRequest,
  safeParseUpdatePlacementRequest,
} from '@kardkit/schemas';
import type { MockCore, Placement } from '../core.js';
import { type FixtureOffer, OFFERS } from '../fixtures.js';
import { fail, paginate, reply, validationFailure } from '../http.js';
import { type Ctx, dataObject, jsonBody, type RouteDef } from '../router.js';

const O = '/v2/issuers/:org';
const PARENT_BINS = ['411111', '545454'];
const SLOTTED = new Set(['placementBatchActivation', 'placementGroup']);

// --- children -----------------------------------------------------------------------------------

function childResource(c: { id: string; attributes: Record<string, unknown> }) {
  return { type: 'organization', id: c.id, attributes: c.attributes };
}
function getChild(ctx: Ctx) {
  const c = ctx.core.children.get(ctx.params.childId!);
  if (!c) return fail(404, `child organization ${ctx.params.childId} not found`, { parameter: 'childId' });
  return c;
}

function createChild(ctx: Ctx) {
  const r = safeParseCreateChildOrganizationRequest(jsonBody(ctx));
  if (!r.success) validationFailure(r.issues);
  const attrs = dataObject(ctx).attributes as Record<string, unknown>;
  for (const c of ctx.core.children.values())
    if (c.attributes.name === attrs.name)
      fail(409, `a child organization named '${attrs.name}' exists`, { pointer: '/data/attributes/name' });
  // R87: omitted fields default to the parent's values; an 8-digit numeric id is generated
  let id = String(randomInt(10_000_000, 100_000_000));
  while (ctx.core.children.has(id)) id = String(randomInt(10_000_000, 100_000_000));
  const child = { id, attributes: { bins: [...PARENT_BINS], ...attrs } };
  ctx.core.children.set(id, child);
  return reply(201, childResource(child));
}

function updateChild(ctx: Ctx) {
  const c = getChild(ctx);
  const r = safeParseUpdateChildOrganizationRequest(jsonBody(ctx));
  if (!r.success) validationFailure(r.issues);
  c.attributes = { ...c.attributes, ...(dataObject(ctx).attributes as Record<string, unknown>) }; // R88: only provided fields change
  return reply(200, childResource(c));
}

// --- content strategies ---------------------------------------------------------------------------

function strategyAttributes(core: MockCore, a: Record<string, unknown>): Record<string, unknown> {
  const arr = (v: unknown) => (Array.isArray(v) ? v : []);
  const filters = (a.filters ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {
    name: a.name,
    organizationId: core.opts.organizationId,
    filters: {
      categories: arr(filters.categories ?? a.categories),
      categoryExclusions: arr(filters.categoryExclusions ?? a.categoryExclusions),
      merchantExclusions: arr(filters.merchantExclusions ?? a.merchantExclusions),
      offerFeatures: arr(filters.offerFeatures),
    },
    categories: arr(a.categories ?? filters.categories),
    categoryExclusions: arr(a.categoryExclusions ?? filters.categoryExclusions),
    merchantExclusions: arr(a.merchantExclusions ?? filters.merchantExclusions),
  };
  if (a.sort !== undefined) out.sort = a.sort; // R103: at most one sort
  return out;
}
const strategyResource = (s: { id: string; attributes: Record<string, unknown> }) => ({
  type: 'contentStrategy',
  id: s.id,
  attributes: s.attributes,
});
function getStrategy(ctx: Ctx) {
  const s = ctx.core.strategies.get(ctx.params.id!);
  if (!s) return fail(404, `content strategy ${ctx.params.id} not found`, { parameter: 'id' });
  return s;
}
/**
 * Kard's current official client sends no `filters` (only the top-level categories,
 * categoryExclusions and merchantExclusions), and Kard accepts that: a missing `filters` is read as
 * `{}` (openapi/kard.yaml CreateContentStrategyAttributes, UpdateContentStrategyAttributes).
 */
function withDefaultFilters(body: Record<string, unknown>): Record<string, unknown> {
  const data = body.data as { attributes?: unknown } | undefined;
  const a = data?.attributes;
  if (!a || typeof a !== 'object' || Array.isArray(a) || 'filters' in a) return body;
  return { ...body, data: { ...data, attributes: { ...a, filters: {} } } };
}

function parseStrategy(ctx: Ctx, selfId?: string): Record<string, unknown> {
  const r = safeParseContentStrategyRequest(withDefaultFilters(jsonBody(ctx)));
  if (!r.success) validationFailure(r.issues);
  const attrs = strategyAttributes(ctx.core, dataObject(ctx).attributes as Record<string, unknown>);
  for (const s of ctx.core.strategies.values())
    if (s.id !== selfId && s.attributes.name === attrs.name)
      fail(409, `a content strategy named '${attrs.name}' exists (R102)`, {
        pointer: '/data/attributes/name',
      });
  return attrs;
}

/** Offers a placement shows under its content strategy (filters, exclusions, sort), capped by its slots. */
export function resolveStrategyOffers(core: MockCore, p: Placement): FixtureOffer[] {
  const sid = p.attributes.contentStrategyId;
  const s = typeof sid === 'string' ? core.strategies.get(sid) : undefined;
  let offers = [...OFFERS];
  if (s) {
    const f = s.attributes.filters as {
      categories: string[];
      categoryExclusions: string[];
      merchantExclusions: string[];
    };
    if (f.categories.length) offers = offers.filter((o) => f.categories.includes(o.category));
    offers = offers.filter((o) => !f.categoryExclusions.includes(o.category));
    const ex = f.merchantExclusions.map((m) => m.toLowerCase());
    offers = offers.filter((o) => !ex.includes(o.name.toLowerCase()));
    switch (s.attributes.sort) {
      case 'EXPIRING_SOON':
        offers.sort((a, b) => a.expirationDate.localeCompare(b.expirationDate));
        break;
      case 'NEWLY_LIVE':
        offers.sort((a, b) => b.startDate.localeCompare(a.startDate));
        break;
      case 'HIGHEST_CASHBACK':
        offers.sort(
          (a, b) =>
            (b.userReward.type === 'PERCENT' ? b.userReward.value : 0) -
            (a.userReward.type === 'PERCENT' ? a.userReward.value : 0),
        );
        break;
    }
  }
  const n = typeof p.attributes.availableSlots === 'number' ? p.attributes.availableSlots : 5;
  return offers.slice(0, n);
}

// --- placements ---------------------------------------------------------------------------------

function placementResource(p: Placement): Record<string, unknown> {
  const out: Record<string, unknown> = { type: p.type, id: p.id, attributes: { ...p.attributes } };
  const attrs = out.attributes as Record<string, unknown>;
  if (p.type === 'placementPushNotification') delete attrs.availableSlots;
  if (SLOTTED.has(p.type)) {
    delete attrs.availableSlots;
    delete attrs.contentStrategyId;
    out.relationships = { slots: { data: p.slots.map((s) => ({ type: 'batchActivationSlot', id: s.id })) } }; // R99
  } else if (typeof p.attributes.contentStrategyId === 'string') {
    out.relationships = {
      contentStrategy: { data: { type: 'contentStrategy', id: p.attributes.contentStrategyId } },
    };
  }
  return out;
}

function included(core: MockCore, list: Placement[], q: URLSearchParams): unknown[] | undefined {
  const inc = q
    .getAll('include')
    .flatMap((v) => v.split(','))
    .filter(Boolean);
  const allowed = ['contentStrategy', 'slots', 'slots.placement', 'slots.placement.contentStrategy'];
  for (const i of inc)
    if (!allowed.includes(i))
      fail(400, `include must be a subset of ${allowed.join(', ')} (R98)`, { parameter: 'include' });
  if (!inc.length) return undefined;
  const out = new Map<string, unknown>();
  const addStrategy = (p: Placement) => {
    const s =
      typeof p.attributes.contentStrategyId === 'string'
        ? core.strategies.get(p.attributes.contentStrategyId)
        : undefined;
    if (s) out.set(`contentStrategy:${s.id}`, strategyResource(s));
  };
  for (const p of list) {
    if (inc.includes('contentStrategy') && !SLOTTED.has(p.type)) addStrategy(p);
    if (inc.some((i) => i.startsWith('slots')))
      for (const s of p.slots) {
        const target = s.placementId ? core.placements.get(s.placementId) : undefined;
        out.set(`slot:${s.id}`, {
          type: 'batchActivationSlot',
          id: s.id,
          attributes: {
            alias: s.alias ?? '',
            ...(s.shortDescription ? { shortDescription: s.shortDescription } : {}),
          },
          relationships: { placement: { data: target ? { type: target.type, id: target.id } : null } },
        });
        if (target && inc.some((i) => i.startsWith('slots.placement'))) {
          out.set(`placement:${target.id}`, placementResource(target));
          if (inc.includes('slots.placement.contentStrategy')) addStrategy(target);
        }
      }
  }
  return [...out.values()];
}

function buildPlacement(ctx: Ctx, existing?: Placement): Placement {
  const d = dataObject(ctx) as { type: string; attributes: Record<string, unknown> };
  const a = { ...d.attributes };
  const core = ctx.core;
  for (const p of core.placements.values())
    if (p.id !== existing?.id && p.type === d.type && p.attributes.name === a.name)
      fail(400, `a ${d.type} named '${a.name}' exists (R97)`, { pointer: '/data/attributes/name' });
  if (a.contentStrategyId !== undefined && !core.strategies.has(String(a.contentStrategyId)))
    fail(404, `content strategy ${a.contentStrategyId} not found`, {
      pointer: '/data/attributes/contentStrategyId',
    });
  if (d.type === 'placementPushNotification') a.availableSlots = 1; // R90, R92
  const slots: Placement['slots'] = [];
  if (SLOTTED.has(d.type)) {
    const req = (Array.isArray(a.slots) ? a.slots : []) as Record<string, unknown>[];
    req.forEach((s, i) => {
      const placementId = typeof s.placementId === 'string' ? s.placementId : undefined;
      if (placementId && !core.placements.has(placementId))
        fail(404, `placement ${placementId} not found`, {
          pointer: `/data/attributes/slots/${i}/placementId`,
        });
      // R95: echo slotId to keep a slot; changing placementId regenerates it
      const prev = existing?.slots.find((x) => x.id === s.slotId);
      const keep = prev && prev.placementId === placementId;
      slots.push({
        id: keep ? prev.id : randomUUID(),
        ...(typeof s.alias === 'string' ? { alias: s.alias } : {}),
        ...(typeof s.shortDescription === 'string' ? { shortDescription: s.shortDescription } : {}),
        ...(placementId ? { placementId } : {}),
      });
    });
    delete a.slots;
  }
  return {
    id: existing?.id ?? randomUUID(),
    type: d.type,
    attributes: { ...a, organizationId: core.opts.organizationId },
    slots,
  };
}

function getPlacement(ctx: Ctx) {
  const p = ctx.core.placements.get(ctx.params.placementId!);
  if (!p) return fail(404, `placement ${ctx.params.placementId} not found`, { parameter: 'placementId' });
  return p;
}

function listWithMeta<T>(
  ctx: Ctx,
  all: T[],
  map: (t: T) => unknown,
  extra?: (page: T[]) => Record<string, unknown>,
) {
  const page = paginate(all, ctx.url, { def: 200, max: 200 }); // R89
  return reply(200, {
    data: page.items.map(map),
    ...(extra ? extra(page.items) : {}),
    links: page.links,
    meta: { pageSize: page.pageSize, hasNextPage: page.hasNextPage },
  });
}

// --- files metadata -------------------------------------------------------------------------------

const FILE_TYPES = [
  'earnedRewardApprovedDailyReconciliationFile',
  'earnedRewardSettledDailyReconciliationFile',
  'validatedTransactionDailyReconciliationFile',
] as const;

function fixtureFiles(core: MockCore) {
  const out: { type: string; id: string; attributes: Record<string, string> }[] = [];
  const day = 86_400_000;
  const today = Math.floor(Date.now() / day) * day;
  for (let d = 1; d <= 45; d++) {
    const t = new Date(today - d * day + 6 * 3_600_000);
    const date = t.toISOString().slice(0, 10);
    const types: string[] = [...FILE_TYPES];
    if (t.getUTCDate() === 1) types.push('monthlyReconciliationFile');
    for (const type of types) {
      const id = `recon-${type}-${date}`;
      const fileName = `${core.opts.organizationId}_${type}_${date}.csv`;
      out.push({
        type,
        id,
        attributes: {
          fileName,
          sentAt: t.toISOString(),
          lastModified: t.toISOString(),
          downloadUrl: `${core.baseUrl}/__files/${id}/${fileName}?X-Amz-Expires=1800&X-Amz-Signature=mock`,
        },
      });
    }
  }
  return out;
}

function filesMetadata(ctx: Ctx) {
  const q = ctx.url.searchParams;
  const parseDate = (name: string, def: number) => {
    const v = q.get(name);
    if (v === null || v === '') return def;
    const t = Date.parse(v);
    if (Number.isNaN(t)) return fail(400, `${name} must be an ISO 8601 date`, { parameter: name });
    return t;
  };
  const now = Date.now();
  const from = parseDate('filter[dateFrom]', now - 31 * 86_400_000); // R82
  const to = parseDate('filter[dateTo]', now);
  const type = q.get('filter[fileType]');
  if (type && !(FILE_TYPES as readonly string[]).concat('monthlyReconciliationFile').includes(type))
    fail(400, 'unknown filter[fileType]', { parameter: 'filter[fileType]' });
  const sort = q.get('sort') ?? '-sentDate'; // R83
  if (sort !== 'sentDate' && sort !== '-sentDate')
    fail(400, 'sort must be sentDate or -sentDate', { parameter: 'sort' });
  let files = fixtureFiles(ctx.core).filter((f) => {
    const t = Date.parse(f.attributes.sentAt!);
    return t >= from && t <= to && (!type || f.type === type);
  });
  files = files.sort(
    (a, b) => a.attributes.sentAt!.localeCompare(b.attributes.sentAt!) * (sort === 'sentDate' ? 1 : -1),
  );
  const page = paginate(files, ctx.url, { def: 10, max: 100 });
  return reply(200, {
    data: page.items,
    links: page.links,
    meta: { pageSize: page.pageSize, hasNextPage: page.hasNextPage },
  });
}

export const organizationRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: `${O}/children`,
    auth: 'bearer',
    handler: (ctx) => listWithMeta(ctx, [...ctx.core.children.values()], childResource),
  },
  { method: 'POST', path: `${O}/children`, auth: 'bearer', handler: createChild },
  {
    method: 'GET',
    path: `${O}/children/:childId`,
    auth: 'bearer',
    handler: (ctx) => reply(200, childResource(getChild(ctx))),
  },
  { method: 'PATCH', path: `${O}/children/:childId`, auth: 'bearer', handler: updateChild },
  {
    method: 'DELETE',
    path: `${O}/children/:childId`,
    auth: 'bearer',
    handler: (ctx) => {
      const c = getChild(ctx);
      ctx.core.children.delete(c.id);
      return reply(200, { data: { type: 'organization', id: c.id, attributes: {} } });
    },
  },
  {
    method: 'POST',
    path: `${O}/placements`,
    auth: 'bearer',
    handler: (ctx) => {
      const r = safeParseCreatePlacementRequest(jsonBody(ctx));
      if (!r.success) validationFailure(r.issues);
      const p = buildPlacement(ctx);
      ctx.core.placements.set(p.id, p);
      return reply(201, placementResource(p));
    },
  },
  {
    method: 'GET',
    path: `${O}/placements`,
    auth: 'bearer',
    handler: (ctx) => {
      const q = ctx.url.searchParams;
      let all = [...ctx.core.placements.values()];
      const t = q.get('filter[type]');
      if (t) all = all.filter((p) => p.type === t);
      const n = q.get('filter[name]');
      if (n) all = all.filter((p) => p.attributes.name === n); // R97: exact
      const cs = q.get('filter[contentStrategyId]');
      if (cs) all = all.filter((p) => p.attributes.contentStrategyId === cs);
      return listWithMeta(ctx, all, placementResource, (page) => {
        const inc = included(ctx.core, page, q);
        return inc ? { included: inc } : {};
      });
    },
  },
  {
    method: 'GET',
    path: `${O}/placements/:placementId`,
    auth: 'bearer',
    handler: (ctx) => {
      const p = getPlacement(ctx);
      const inc = included(ctx.core, [p], ctx.url.searchParams);
      return reply(200, { data: placementResource(p), ...(inc ? { included: inc } : {}) });
    },
  },
  {
    method: 'PUT',
    path: `${O}/placements/:placementId`,
    auth: 'bearer',
    handler: (ctx) => {
      const prev = getPlacement(ctx);
      const r = safeParseUpdatePlacementRequest(jsonBody(ctx));
      if (!r.success) validationFailure(r.issues);
      const p = buildPlacement(ctx, prev); // R92: full replace
      ctx.core.placements.set(p.id, p);
      return reply(200, placementResource(p));
    },
  },
  {
    method: 'DELETE',
    path: `${O}/placements/:placementId`,
    auth: 'bearer',
    handler: (ctx) => {
      const p = getPlacement(ctx);
      ctx.core.placements.delete(p.id);
      return reply(200, { data: { type: p.type, id: p.id, attributes: {} } });
    },
  },
  {
    method: 'POST',
    path: `${O}/contentStrategies`,
    auth: 'bearer',
    handler: (ctx) => {
      const s = { id: randomUUID(), attributes: parseStrategy(ctx) };
      ctx.core.strategies.set(s.id, s);
      return reply(201, strategyResource(s));
    },
  },
  {
    method: 'GET',
    path: `${O}/contentStrategies`,
    auth: 'bearer',
    handler: (ctx) => {
      const n = ctx.url.searchParams.get('filter[name]');
      const all = [...ctx.core.strategies.values()].filter((s) => !n || s.attributes.name === n);
      return listWithMeta(ctx, all, strategyResource);
    },
  },
  {
    method: 'GET',
    path: `${O}/contentStrategies/:id`,
    auth: 'bearer',
    handler: (ctx) => reply(200, strategyResource(getStrategy(ctx))),
  },
  {
    method: 'PUT',
    path: `${O}/contentStrategies/:id`,
    auth: 'bearer',
    handler: (ctx) => {
      const s = getStrategy(ctx);
      s.attributes = parseStrategy(ctx, s.id); // R104: full replace
      return reply(200, strategyResource(s));
    },
  },
  {
    method: 'DELETE',
    path: `${O}/contentStrategies/:id`,
    auth: 'bearer',
    handler: (ctx) => {
      const s = getStrategy(ctx);
      for (const p of ctx.core.placements.values())
        if (p.attributes.contentStrategyId === s.id)
          fail(409, `content strategy ${s.id} is still used by placement ${p.id} (R105)`, {
            parameter: 'id',
          });
      ctx.core.strategies.delete(s.id);
      return reply(200, { data: { type: 'contentStrategy', id: s.id, attributes: {} } });
    },
  },
  { method: 'GET', path: `${O}/files/metadata`, auth: 'bearer', handler: filesMetadata },
];
