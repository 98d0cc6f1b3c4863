import { randomUUID } from 'node:crypto';
import type { RewardRecord } from '../core.js';
import {
  CATEGORIES,
  categoryResource,
  type FixtureOffer,
  LOCATIONS,
  locationResource,
  OFFERS,
  OFFERS_BY_ID,
  offerResource,
} from '../fixtures.js';
import { fail, paginate, reply } from '../http.js';
import { type Ctx, dataArray, type RouteDef } from '../router.js';
import { resolveStrategyOffers } from './organizations.js';
import { job, split } from './transactions.js';

const list = (q: URLSearchParams, name: string): string[] =>
  q
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return fail(400, `${name} must be true or false`, { parameter: name });
}

function includes(q: URLSearchParams, allowed: string[], rule: string): Set<string> {
  const inc = list(q, 'include');
  for (const i of inc)
    if (!allowed.includes(i))
      fail(400, `include must be a subset of ${allowed.join(', ')} (${rule})`, { parameter: 'include' });
  return new Set(inc);
}

function checkCategory(c: string): void {
  if (!CATEGORIES.includes(c)) fail(400, `unknown category '${c}'`, { parameter: 'filter[category]' });
}

/** The categories of the fixture catalog (fixed: computed once). */
const AVAILABLE_CATEGORIES = [...new Set(OFFERS.map((o) => o.category))].map(categoryResource);

/** 12. GET …/users/{user}/offers — filters R57–R60, sort, cursor pagination with links.next. */
function offers(ctx: Ctx) {
  const q = ctx.url.searchParams;
  let items: FixtureOffer[] = [...OFFERS];
  const search = q.get('filter[search]')?.toLowerCase();
  if (search)
    items = items.filter(
      (o) => o.name.toLowerCase().includes(search) || o.category.toLowerCase().includes(search),
    );
  const cats = list(q, 'filter[category]');
  // categories contain commas ("Baby, Kids & Toys"): match the raw value first
  const rawCat = q.get('filter[category]');
  if (rawCat) {
    const wanted = CATEGORIES.includes(rawCat) ? [rawCat] : cats;
    wanted.forEach(checkCategory);
    items = items.filter((o) => wanted.includes(o.category));
  }
  const channels = list(q, 'filter[purchaseChannel]');
  for (const c of channels)
    if (c !== 'INSTORE' && c !== 'ONLINE')
      fail(400, 'filter[purchaseChannel] must be INSTORE or ONLINE', {
        parameter: 'filter[purchaseChannel]',
      });
  if (channels.length) items = items.filter((o) => o.purchaseChannel.some((c) => channels.includes(c)));
  const targeted = boolParam(q, 'filter[isTargeted]');
  if (targeted !== undefined) items = items.filter((o) => o.isTargeted === targeted);
  const sort = q.get('sort');
  if (sort) {
    const key = sort.replace(/^-/, '');
    if (!['startDate', 'expirationDate', 'name'].includes(key))
      fail(400, 'unsupported sort', { parameter: 'sort' });
    const dir = sort.startsWith('-') ? -1 : 1;
    const k = key as 'startDate' | 'expirationDate' | 'name';
    items.sort((a, b) => (a[k] < b[k] ? -dir : a[k] > b[k] ? dir : 0));
  }
  const inc = includes(q, ['categories'], 'R59');
  const page = paginate(items, ctx.url, { def: 10, max: 100 });
  const withComponents = q.has('supportedComponents');
  const body: Record<string, unknown> = {
    data: page.items.map((o) => offerResource(o, withComponents)),
    links: page.links,
    meta: { availableCategories: AVAILABLE_CATEGORIES },
  };
  if (inc.has('categories'))
    body.included = [...new Set(page.items.map((o) => o.category))].map(categoryResource);
  return reply(200, body);
}

const toRad = (d: number) => (d * Math.PI) / 180;
function miles(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const a =
    Math.sin(toRad(lat2 - lat1) / 2) ** 2 +
    Math.cos(toRad(lat1)) * Math.cos(toRad(lat2)) * Math.sin(toRad(lon2 - lon1) / 2) ** 2;
  return 3958.8 * 2 * Math.asin(Math.sqrt(a));
}

/** 13. GET …/users/{user}/locations — name/city/zip/state/category/geo filters (R62, R63). */
function locations(ctx: Ctx) {
  const q = ctx.url.searchParams;
  let items = [...LOCATIONS];
  const name = q.get('filter[name]')?.toLowerCase();
  if (name) items = items.filter((l) => l.name.toLowerCase().includes(name));
  const city = q.get('filter[city]')?.toLowerCase();
  if (city) items = items.filter((l) => l.city.toLowerCase().includes(city));
  const zip = q.get('filter[zipCode]');
  if (zip) items = items.filter((l) => l.zipCode === zip);
  const state = q.get('filter[state]');
  if (state) items = items.filter((l) => l.state === state);
  const cat = q.get('filter[category]');
  if (cat) {
    checkCategory(cat);
    items = items.filter((l) => l.category === cat);
  }
  const lat = q.get('filter[latitude]');
  const lng = q.get('filter[longitude]');
  if ((lat === null) !== (lng === null))
    fail(400, 'filter[latitude] and filter[longitude] must be sent together (R62)', {
      parameter: lat === null ? 'filter[latitude]' : 'filter[longitude]',
    });
  if (lat !== null && lng !== null) {
    const la = Number(lat);
    const lo = Number(lng);
    if (!Number.isFinite(la) || la < -90 || la > 90 || !Number.isFinite(lo) || lo < -180 || lo > 180)
      fail(400, 'invalid coordinates', { parameter: 'filter[latitude]' });
    const radius = q.get('filter[radius]') === null ? 10 : Number(q.get('filter[radius]'));
    if (!Number.isInteger(radius) || radius < 1)
      fail(400, 'filter[radius] must be an integer ≥ 1', { parameter: 'filter[radius]' });
    items = items.filter((l) => miles(la, lo, l.latitude, l.longitude) <= radius);
  }
  const sort = q.get('sort');
  if (sort) {
    if (sort !== 'locationName' && sort !== '-locationName')
      fail(400, 'unsupported sort', { parameter: 'sort' });
    const dir = sort.startsWith('-') ? -1 : 1;
    items.sort((a, b) => dir * a.name.localeCompare(b.name));
  }
  const inc = includes(q, ['offers', 'categories'], 'R63');
  const page = paginate(items, ctx.url, { def: 10, max: 100 });
  const body: Record<string, unknown> = { data: page.items.map(locationResource), links: page.links };
  const included: unknown[] = [];
  if (inc.has('offers'))
    for (const id of new Set(page.items.map((l) => l.offerId)))
      included.push(offerResource(OFFERS_BY_ID.get(id)!, false));
  if (inc.has('categories'))
    for (const c of new Set(page.items.map((l) => l.category))) included.push(categoryResource(c));
  if (inc.size) body.included = included;
  return reply(200, body);
}

/** 4. GET …/users/{user}/earned-rewards — filter[status] (R53), paidInFullOnly (R54), include (R56). */
function earnedRewards(ctx: Ctx) {
  const q = ctx.url.searchParams;
  const status = q.get('filter[status]') ?? 'SETTLED';
  if (status !== 'SETTLED' && status !== 'APPROVED')
    fail(400, 'filter[status] must be APPROVED or SETTLED', { parameter: 'filter[status]' });
  const paidInFullOnly = boolParam(q, 'filter[paidInFullOnly]') ?? false;
  const inc = includes(q, ['merchant', 'offer'], 'R56');
  const all = ctx.core.rewards.get(ctx.params.user!) ?? [];
  const settled = all.filter((r) => r.status === 'SETTLED');
  const settledTxns = new Set(settled.map((r) => r.transactionId));
  // The mock pays nothing to issuers, so every reward is UNPAID; paidInFullOnly therefore yields none.
  let items: RewardRecord[] =
    status === 'SETTLED'
      ? settled
      : all.filter((r) => r.status === 'APPROVED' && !settledTxns.has(r.transactionId));
  if (paidInFullOnly && status === 'SETTLED') items = [];
  items = [...items].sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
  const page = paginate(items, ctx.url, { def: 10, max: 100 });
  const lifetime = paidInFullOnly ? 0 : settled.reduce((s, r) => s + r.rewardCents, 0);
  const data = page.items.map((r) => {
    const relationships = {
      user: { data: { type: 'user', id: r.userId } },
      merchant: { data: { type: 'merchant', id: `m-${r.offer.id}` } },
      offer: { data: { type: 'offer', id: r.offer.id } },
    };
    return r.status === 'SETTLED'
      ? {
          type: 'rewardedTransaction',
          id: r.eventId,
          attributes: {
            status: 'SETTLED',
            transactionId: r.transactionId,
            transactionAmountInCents: r.amount,
            transactionTimestamp: r.timestamp,
            paidToIssuer: 'UNPAID',
            commissionEarned: { user: { type: 'cents', value: r.rewardCents } },
          },
          relationships,
        }
      : {
          type: 'approvedTransaction',
          id: r.eventId,
          attributes: {
            status: 'APPROVED',
            transactionId: r.transactionId,
            transactionAmountInCents: r.amount,
            transactionTimestamp: r.timestamp,
          },
          relationships,
        };
  });
  const body: Record<string, unknown> = {
    data,
    links: page.links,
    meta: { lifetimeRewardsInCents: lifetime },
  };
  if (inc.size) {
    const included: unknown[] = [];
    const offers = [...new Map(page.items.map((r) => [r.offer.id, r.offer])).values()];
    if (inc.has('merchant'))
      for (const o of offers)
        included.push({ type: 'merchant', id: `m-${o.id}`, attributes: { name: o.name, assets: [] } });
    if (inc.has('offer'))
      for (const o of offers)
        included.push({ type: 'offer', id: o.id, attributes: { purchaseChannel: o.purchaseChannel } });
    body.included = included;
  }
  return reply(200, body);
}

/** 20/21. activate / boost — 201; R80 event codes; include=offer adds the offer (R60). */
function attributionAction(eventCode: 'ACTIVATE' | 'BOOST') {
  return (ctx: Ctx) => {
    const offer = OFFERS_BY_ID.get(ctx.params.offerId!);
    if (!offer) return fail(400, `offer ${ctx.params.offerId} does not exist`, { parameter: 'offerId' });
    const q = ctx.url.searchParams;
    const inc = includes(q, ['offer'], 'R60');
    const body: Record<string, unknown> = {
      data: {
        type: eventCode === 'ACTIVATE' ? 'offerActivation' : 'offerBoost',
        id: randomUUID(),
        attributes: { entityId: offer.id, eventCode, medium: 'CTA', eventDate: new Date().toISOString() },
      },
    };
    if (inc.has('offer')) body.included = [offerResource(offer, q.has('supportedComponents'))];
    return reply(201, body);
  };
}

/** 22. slot activate — 201 with the offers resolved under the slot's content strategy (R80). */
function activateSlot(ctx: Ctx) {
  const p = ctx.core.placements.get(ctx.params.placementId!);
  if (!p)
    return fail(400, `placement ${ctx.params.placementId} does not exist`, { parameter: 'placementId' });
  const slot = p.slots.find((s) => s.id === ctx.params.slotId);
  if (!slot)
    return fail(400, `slot ${ctx.params.slotId} does not exist in placement ${p.id}`, {
      parameter: 'slotId',
    });
  const target = slot.placementId ? ctx.core.placements.get(slot.placementId) : undefined;
  const offers = target ? resolveStrategyOffers(ctx.core, target) : [];
  return reply(201, {
    data: {
      type: 'placementSlotActivation',
      id: randomUUID(),
      attributes: {
        placementId: p.id,
        slotId: slot.id,
        eventCode: 'ACTIVATE',
        medium: 'CTA',
        eventDate: new Date().toISOString(),
        offerIds: offers.map((o) => o.id),
      },
    },
  });
}

/** GET …/users/{user}/placements/{placementId}/content (SDK-only; R100). */
function placementContent(ctx: Ctx) {
  const p = ctx.core.placements.get(ctx.params.placementId!);
  if (!p) return fail(404, `placement ${ctx.params.placementId} not found`, { parameter: 'placementId' });
  if (p.type === 'placementEmail' || p.type === 'placementPushNotification')
    return fail(400, 'email and push placements have no content here (R100)', { parameter: 'placementId' });
  const withComponents = ctx.url.searchParams.has('supportedComponents');
  const inc = includes(ctx.url.searchParams, ['categories'], 'R59');
  if (p.type === 'placement') {
    const offers = resolveStrategyOffers(ctx.core, p);
    // include=categories: the offers' categories in `included`, every category in meta (openapi/kard.yaml OffersResponse)
    const body: Record<string, unknown> = {
      data: offers.map((o) => offerResource(o, withComponents)),
      links: { self: ctx.url.href },
      meta: inc.has('categories')
        ? { placementName: p.attributes.name, availableCategories: AVAILABLE_CATEGORIES }
        : { placementName: p.attributes.name },
    };
    if (inc.has('categories'))
      body.included = [...new Set(offers.map((o) => o.category))].map(categoryResource);
    return reply(200, body);
  }
  const now = new Date().toISOString();
  return reply(200, {
    data: p.slots.map((s) => {
      const target = s.placementId ? ctx.core.placements.get(s.placementId) : undefined;
      return {
        type: 'placementBatch',
        id: s.id,
        attributes: {
          placementId: p.id,
          alias: s.alias,
          shortDescription: s.shortDescription,
          isActive: true,
          lastActivatedAt: now,
          offerIds: target ? resolveStrategyOffers(ctx.core, target).map((o) => o.id) : [],
        },
      };
    }),
    links: { self: ctx.url.href },
    meta: { placementName: p.attributes.name },
  });
}

/** 19. POST …/users/{user}/attributions — 202 job (R75–R79); 400 when any item is invalid. */
function createAttributions(ctx: Ctx) {
  const data = dataArray(ctx, 100, 'R75');
  const { errors } = split('attributions', data, 'Invalid attribution');
  if (errors.length) return reply(400, { errors });
  return reply(202, { data: job(`${data.length} attribution event(s) queued`) });
}

const U = '/v2/issuers/:org/users/:user';
export const rewardRoutes: RouteDef[] = [
  { method: 'GET', path: `${U}/earned-rewards`, auth: 'bearer', handler: earnedRewards },
  { method: 'GET', path: `${U}/offers`, auth: 'bearer', handler: offers },
  { method: 'GET', path: `${U}/locations`, auth: 'bearer', handler: locations },
  {
    method: 'POST',
    path: `${U}/offers/:offerId/activate`,
    auth: 'bearer',
    handler: attributionAction('ACTIVATE'),
  },
  { method: 'POST', path: `${U}/offers/:offerId/boost`, auth: 'bearer', handler: attributionAction('BOOST') },
  {
    method: 'POST',
    path: `${U}/placements/:placementId/slot/:slotId/activate`,
    auth: 'bearer',
    handler: activateSlot,
  },
  { method: 'GET', path: `${U}/placements/:placementId/content`, auth: 'bearer', handler: placementContent },
  { method: 'POST', path: `${U}/attributions`, auth: 'bearer', handler: createAttributions },
];
