import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is untyped JSON
type Json = any;

const specPath = fileURLToPath(new URL('../kard.yaml', import.meta.url));
const spec: Json = parse(readFileSync(specPath, 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

// Every operation of Kard's published v2 API (41), the three SDK-only operations and legacy incoming.
const ORG = '/v2/issuers/{organizationId}';
const EXPECTED: [method: string, path: string, operationId: string][] = [
  ['post', `${ORG}/transactions`, 'transactions.create'],
  ['post', `${ORG}/transactions/uploads`, 'transactions.createBulkUploadUrl'],
  ['post', `${ORG}/users/{userId}/audits`, 'users.audits.create'],
  ['get', `${ORG}/users/{userId}/earned-rewards`, 'users.earnedRewards.list'],
  ['post', `${ORG}/users/{userId}/uploads`, 'users.uploads.create'],
  ['put', `${ORG}/users/{userId}/uploads/{uploadId}/parts`, 'users.uploads.createPart'],
  ['put', `${ORG}/users/{userId}/uploads/{uploadId}`, 'users.uploads.complete'],
  ['post', `${ORG}/users`, 'users.create'],
  ['put', `${ORG}/users/{userId}`, 'users.update'],
  ['delete', `${ORG}/users/{userId}`, 'users.delete'],
  ['get', `${ORG}/users/{userId}`, 'users.get'],
  ['get', `${ORG}/users/{userId}/offers`, 'users.offers.list'],
  ['get', `${ORG}/users/{userId}/locations`, 'users.locations.list'],
  ['get', `${ORG}/notifications`, 'notifications.list'],
  ['post', `${ORG}/notifications/{eventId}/replay`, 'notifications.replay'],
  ['get', `${ORG}/subscriptions`, 'subscriptions.list'],
  ['post', `${ORG}/subscriptions`, 'subscriptions.create'],
  ['patch', `${ORG}/subscriptions/{subscriptionId}`, 'subscriptions.update'],
  ['post', `${ORG}/users/{userId}/attributions`, 'users.attributions.create'],
  ['post', `${ORG}/users/{userId}/offers/{offerId}/activate`, 'users.offers.activate'],
  ['post', `${ORG}/users/{userId}/offers/{offerId}/boost`, 'users.offers.boost'],
  [
    'post',
    `${ORG}/users/{userId}/placements/{placementId}/slot/{slotId}/activate`,
    'users.placements.activateSlot',
  ],
  ['get', `${ORG}/files/metadata`, 'files.listMetadata'],
  ['post', '/v2/auth/issuers/{organizationId}/users/{userId}/token', 'users.getWebViewToken'],
  ['get', '/v2/issuer', 'organizations.get'],
  ['get', `${ORG}/children`, 'organizations.children.list'],
  ['post', `${ORG}/children`, 'organizations.children.create'],
  ['get', `${ORG}/children/{childId}`, 'organizations.children.get'],
  ['patch', `${ORG}/children/{childId}`, 'organizations.children.update'],
  ['delete', `${ORG}/children/{childId}`, 'organizations.children.delete'],
  ['post', `${ORG}/placements`, 'organizations.placements.create'],
  ['get', `${ORG}/placements`, 'organizations.placements.list'],
  ['get', `${ORG}/placements/{placementId}`, 'organizations.placements.get'],
  ['put', `${ORG}/placements/{placementId}`, 'organizations.placements.update'],
  ['delete', `${ORG}/placements/{placementId}`, 'organizations.placements.delete'],
  ['post', `${ORG}/contentStrategies`, 'organizations.contentStrategies.create'],
  ['get', `${ORG}/contentStrategies`, 'organizations.contentStrategies.list'],
  ['get', `${ORG}/contentStrategies/{contentStrategyId}`, 'organizations.contentStrategies.get'],
  ['put', `${ORG}/contentStrategies/{contentStrategyId}`, 'organizations.contentStrategies.update'],
  ['delete', `${ORG}/contentStrategies/{contentStrategyId}`, 'organizations.contentStrategies.delete'],
  ['get', '/v2/ping', 'ping'],
  // beyond the upstream spec (official SDK)
  ['post', '/v2/auth/token', 'auth.getToken'],
  ['post', `${ORG}/fraud`, 'transactions.createFraudMarkers'],
  ['get', `${ORG}/users/{userId}/placements/{placementId}/content`, 'users.getPlacementContent'],
  // legacy
  ['post', '/transactions/incoming', 'legacy.transactions.createIncoming'],
];

const NOTIFICATION_TYPES = [
  'earnedRewardApproved',
  'earnedRewardSettled',
  'earnedRewardRejected',
  'validTransaction',
  'failedTransaction',
  'clawback',
  'auditUpdate',
  'fileProcessingResult',
  'pushNotificationPlacementFile',
  'emailNotificationPlacementFile',
];

interface Op {
  where: string;
  method: string;
  path: string;
  op: Json;
}
function operations(container: Json, prefix: string): Op[] {
  const out: Op[] = [];
  for (const [path, item] of Object.entries<Json>(container ?? {})) {
    for (const method of METHODS) {
      if (item[method])
        out.push({ where: `${prefix} ${method.toUpperCase()} ${path}`, method, path, op: item[method] });
    }
  }
  return out;
}
const pathOps = operations(spec.paths, 'paths:');
const webhookOps = operations(spec.webhooks, 'webhooks:');
const allOps = [...pathOps, ...webhookOps];

function deref(node: Json): Json {
  let cur = node;
  const seen = new Set<string>();
  while (cur && typeof cur === 'object' && typeof cur.$ref === 'string') {
    if (seen.has(cur.$ref)) throw new Error(`ref cycle at ${cur.$ref}`);
    seen.add(cur.$ref);
    const parts = cur.$ref
      .replace(/^#\//, '')
      .split('/')
      .map((p: string) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    let target: Json = spec;
    for (const p of parts) target = target?.[p];
    if (target === undefined) throw new Error(`unresolved $ref ${cur.$ref}`);
    cur = target;
  }
  return cur;
}

/** Calls fn for every object (not array) in `node`, depth first, with its path. */
function eachObject(node: Json, at: string, fn: (obj: Json, at: string) => void): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) eachObject(node[i], `${at}[${i}]`, fn);
  } else if (node && typeof node === 'object') {
    fn(node, at);
    for (const [k, v] of Object.entries(node)) eachObject(v, `${at}/${k}`, fn);
  }
}

// A small JSON Schema checker for the keywords kard.yaml uses. Strict on undeclared properties,
// so a typo in an example is caught too.
function check(schemaIn: Json, value: Json, at: string, errors: string[]): void {
  const schema = deref(schemaIn);
  if (!schema || typeof schema !== 'object') return;
  if (schema.oneOf || schema.anyOf) {
    const options: Json[] = schema.oneOf ?? schema.anyOf;
    const disc = schema.discriminator;
    if (disc?.mapping && value && typeof value === 'object') {
      const target = disc.mapping[value[disc.propertyName]];
      if (!target)
        errors.push(`${at}: unknown ${disc.propertyName} ${JSON.stringify(value[disc.propertyName])}`);
      else check({ $ref: target }, value, at, errors);
      return;
    }
    const results = options.map((o) => {
      const errs: string[] = [];
      check(o, value, at, errs);
      return errs;
    });
    const matches = results.filter((r) => r.length === 0).length;
    if (schema.oneOf ? matches !== 1 : matches < 1) {
      errors.push(
        `${at}: matches ${matches} of ${options.length} alternatives (${results.flat().slice(0, 3).join('; ')})`,
      );
    }
    return;
  }
  if (schema.allOf) for (const s of schema.allOf) check(s, value, at, errors);
  if (schema.const !== undefined && value !== schema.const)
    errors.push(`${at}: must be ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  const type = schema.type;
  if (type) {
    const types: string[] = Array.isArray(type) ? type : [type];
    const actual =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'array'
          : Number.isInteger(value)
            ? 'integer'
            : typeof value;
    const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!ok) {
      errors.push(`${at}: expected ${types.join('|')}, got ${actual}`);
      return;
    }
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value))
      errors.push(`${at}: does not match ${schema.pattern}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      errors.push(`${at}: longer than ${schema.maxLength}`);
    if (
      schema.format === 'date-time' &&
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
    ) {
      errors.push(`${at}: not an ISO 8601 date-time with zone (R24)`);
    }
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      errors.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.items)
      value.forEach((v, i) => {
        check(schema.items, v, `${at}[${i}]`, errors);
      });
  } else if (value && typeof value === 'object') {
    for (const r of schema.required ?? []) if (!(r in value)) errors.push(`${at}: missing required ${r}`);
    const props = schema.properties ?? {};
    for (const [k, v] of Object.entries(value)) {
      if (props[k]) check(props[k], v, `${at}.${k}`, errors);
      else if (schema.additionalProperties === false || schema.properties)
        errors.push(`${at}: undeclared property ${k}`);
    }
  }
}

describe('openapi/kard.yaml', () => {
  it('is OpenAPI 3.1 with the production and sandbox servers', () => {
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.servers.map((s: Json) => s.url)).toEqual([
      'https://rewards-api.getkard.com',
      'https://test-rewards-api.getkard.com',
    ]);
  });

  it('has exactly the expected operations: 41 v2 + 3 SDK-only + legacy incoming', () => {
    expect(EXPECTED).toHaveLength(45);
    const actual = pathOps.map((o) => [o.method, o.path, o.op.operationId]);
    expect(new Set(actual.map((a) => a.join(' ')))).toEqual(new Set(EXPECTED.map((e) => e.join(' '))));
    expect(actual).toHaveLength(EXPECTED.length);
  });

  it('has unique operationIds everywhere (paths and webhooks)', () => {
    const ids = allOps.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares the tags it uses at top level', () => {
    const declared = new Set(spec.tags.map((t: Json) => t.name));
    for (const { where, op } of allOps)
      for (const t of op.tags ?? []) expect(declared.has(t), `${where}: tag ${t}`).toBe(true);
  });

  it('has no Authorization header parameter anywhere', () => {
    const found: string[] = [];
    eachObject(spec, '#', (node, at) => {
      if (node.in === 'header' && String(node.name).toLowerCase() === 'authorization') found.push(at);
    });
    expect(found).toEqual([]);
  });

  it('applies bearer and OAuth2 client-credentials security globally; only ping and the token call override it', () => {
    const schemes = spec.components.securitySchemes;
    expect(schemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.oauth2.type).toBe('oauth2');
    expect(schemes.oauth2.flows.clientCredentials.tokenUrl).toBe('/v2/auth/token');
    expect(spec.security).toEqual([{ bearerAuth: [] }, { oauth2: [] }]);
    const overrides = pathOps.filter((o) => o.op.security !== undefined).map((o) => o.op.operationId);
    expect(overrides.sort()).toEqual(['auth.getToken', 'ping']);
    const token = pathOps.find((o) => o.op.operationId === 'auth.getToken')?.op;
    expect(Object.keys(token.requestBody.content).sort()).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
  });

  it('has both webhooks, and the v2 union covers the 10 notification types with a mapping', () => {
    expect(Object.keys(spec.webhooks).sort()).toEqual(['legacyEarnedReward', 'notification']);
    const payload = deref(spec.webhooks.notification.post.requestBody.content['application/json'].schema);
    const union = deref(payload.properties.data);
    expect(union.discriminator.propertyName).toBe('type');
    expect(Object.keys(union.discriminator.mapping).sort()).toEqual([...NOTIFICATION_TYPES].sort());
    expect(union.oneOf).toHaveLength(10);
    expect([...spec.components.schemas.NotificationType.enum].sort()).toEqual([...NOTIFICATION_TYPES].sort());
    const legacy = deref(
      spec.webhooks.legacyEarnedReward.post.requestBody.content['application/json'].schema,
    );
    expect(legacy.required.sort()).toEqual(['card', 'reward', 'transaction', 'user']);
  });

  it('gives every discriminator a mapping whose targets carry that value', () => {
    const unions = Object.entries<Json>(spec.components.schemas).filter(([, s]) => s.discriminator);
    expect(unions.length).toBeGreaterThan(5);
    for (const [name, s] of unions) {
      expect(s.discriminator.mapping, name).toBeTruthy();
      for (const [value, ref] of Object.entries<string>(s.discriminator.mapping)) {
        const target = deref({ $ref: ref });
        const prop = deref(target.properties[s.discriminator.propertyName]);
        expect(prop.enum ?? [prop.const], `${name} → ${value}`).toContain(value);
      }
    }
  });

  it('marks the three historical-upload operations deprecated (R37)', () => {
    const deprecated = pathOps.filter((o) => o.op.deprecated).map((o) => o.op.operationId);
    expect(deprecated.sort()).toEqual([
      'users.uploads.complete',
      'users.uploads.create',
      'users.uploads.createPart',
    ]);
  });

  it('encodes the batch caps as maxItems (R11, R29, R30, R35, R38, R75)', () => {
    const cap = (name: string) => {
      const data = spec.components.schemas[name].properties.data;
      return [data.minItems, data.maxItems];
    };
    expect(cap('TransactionsRequest')).toEqual([1, 500]);
    expect(cap('UploadPartRequest')).toEqual([1, 500]);
    expect(cap('FraudMarkersRequest')).toEqual([1, 500]);
    expect(cap('CreateUsersRequest')).toEqual([1, 100]);
    expect(cap('CreateAttributionsRequest')).toEqual([1, 100]);
    expect(cap('BulkUploadUrlRequest')).toEqual([1, 10]);
    const s = spec.components.schemas;
    expect(s.TransactionAttributes.properties.cardBIN.pattern).toBe('^[0-9]{6}$');
    expect(s.MatchedTransactionAttributes.properties.cardBIN.pattern).toBe('^[0-9]{6}$');
    expect(s.IncomingTransactionRequest.properties.cardBIN.pattern).toBe('^[0-9]{6}$');
    expect(s.CoreTransactionAttributes.properties.currency.pattern).toBe('^[A-Z]{3}$');
    expect(s.TransactionAttributes.properties.amount.type).toBe('integer');
    expect(s.TransactionAttributes.properties.subtotal.type).toBe('integer');
  });

  it('models every 207 as a success response whose body carries errors[] and data', () => {
    const multi = pathOps.filter((o) => o.op.responses['207']);
    expect(multi.map((o) => o.op.operationId).sort()).toEqual([
      'transactions.create',
      'transactions.createFraudMarkers',
      'users.audits.create',
      'users.create',
      'users.uploads.createPart',
    ]);
    for (const { where, op } of multi) {
      const body = deref(op.responses['207'].content['application/json'].schema);
      expect(body.required, where).toContain('errors');
      expect(body.properties.data, where).toBeTruthy();
    }
  });

  it('requires every request body and gives it an example that fits its schema', () => {
    const problems: string[] = [];
    for (const { where, op } of allOps) {
      if (!op.requestBody) continue;
      if (op.requestBody.required !== true) problems.push(`${where}: requestBody not required`);
      for (const [type, media] of Object.entries<Json>(op.requestBody.content)) {
        if (media.example === undefined) problems.push(`${where} ${type}: no example`);
        else check(media.schema, media.example, `${where} ${type}`, problems);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every success response an example that fits its schema', () => {
    const problems: string[] = [];
    let count = 0;
    for (const { where, op } of pathOps) {
      for (const [code, resp] of Object.entries<Json>(op.responses)) {
        if (!code.startsWith('2')) continue;
        const r = deref(resp);
        for (const [type, media] of Object.entries<Json>(r.content ?? {})) {
          count++;
          if (media.example === undefined) problems.push(`${where} ${code} ${type}: no example`);
          else check(media.schema, media.example, `${where} ${code}`, problems);
        }
      }
    }
    expect(count).toBeGreaterThanOrEqual(50);
    expect(problems).toEqual([]);
  });

  it('the example checker itself rejects rule-breaking data (R2, R4, R11)', () => {
    const errs: string[] = [];
    const bad = {
      data: [{ type: 'transaction', id: 'e1', attributes: { userId: 'u', amount: 1.5, cardBIN: '12345' } }],
    };
    check({ $ref: '#/components/schemas/TransactionsRequest' }, bad, 'bad', errs);
    expect(errs.some((e) => e.includes('cardBIN'))).toBe(true);
    expect(errs.some((e) => e.includes('amount'))).toBe(true);
    const tooMany: string[] = [];
    const item =
      spec.paths[`${ORG}/transactions`].post.requestBody.content['application/json'].example.data[0];
    check(
      { $ref: '#/components/schemas/TransactionsRequest' },
      { data: Array(501).fill(item) },
      'big',
      tooMany,
    );
    expect(tooMany.some((e) => e.includes('more than 500'))).toBe(true);
  });

  it('transaction examples obey the status/date rules (R1, R2, R3) and 6-digit BINs (R4)', () => {
    const problems: string[] = [];
    let seen = 0;
    const need: Record<string, string> = {
      APPROVED: 'authorizationDate',
      SETTLED: 'settledDate',
      REVERSED: 'transactionDate',
      RETURNED: 'transactionDate',
      DECLINED: 'transactionDate',
    };
    const check = (node: Json, at: string) => {
      if (typeof node.status === 'string' && 'amount' in node && need[node.status]) {
        seen++;
        if (!((need[node.status] as string) in node))
          problems.push(`${at}: ${node.status} without ${need[node.status]}`);
      }
      if (typeof node.cardBIN === 'string' && !/^[0-9]{6}$/.test(node.cardBIN))
        problems.push(`${at}: cardBIN`);
    };
    for (const { where, op } of allOps) {
      for (const media of Object.values<Json>(op.requestBody?.content ?? {}))
        eachObject(media.example, where, check);
    }
    expect(seen).toBeGreaterThanOrEqual(5);
    expect(problems).toEqual([]);
  });

  it('keeps descriptions as short plain text (no HTML)', () => {
    const html: string[] = [];
    eachObject(spec, '#', (node, at) => {
      for (const k of ['description', 'summary']) {
        const v = node[k];
        if (typeof v === 'string' && /<\/?[a-z][^>]*>|&nbsp;/i.test(v)) html.push(`${at}/${k}`);
      }
    });
    expect(html).toEqual([]);
  });
});
