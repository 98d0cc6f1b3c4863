import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { conformance, type Harness, harness, specPath } from './test-support.js';

const spec = parse(readFileSync(specPath(), 'utf8'));
const h: Harness = await harness();
afterAll(() => h.mock.close());

const ops: [string, string][] = [];
for (const [path, item] of Object.entries<Record<string, unknown>>(spec.paths))
  for (const method of ['get', 'post', 'put', 'patch', 'delete'])
    if (item[method]) ops.push([method.toUpperCase(), path]);

describe('route coverage against openapi/kard.yaml', () => {
  it('the spec lists the 41 v2 operations plus token, fraud, placement content and legacy incoming', () => {
    expect(ops.length).toBeGreaterThanOrEqual(45);
  });

  it.each(ops)('%s %s is served (never "no such route" or 405)', async (method, template) => {
    const path = template
      .replace('{organizationId}', h.mock.organizationId)
      .replace(/\{[^}]+\}/g, 'x-unknown');
    const r = await h.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
    expect(r.status).not.toBe(405);
    expect(JSON.stringify(r.body ?? '')).not.toMatch(/no such route/);
    expect(r.status).toBeLessThan(500);
    // Every status the sandbox answers is one the operation documents, with a body matching it.
    expect(conformance(method, template, r.status, r.body)).toEqual([]);
  });

  it.each(ops.filter(([, template]) => template.includes('{organizationId}')))(
    '%s %s for another organization answers a documented status (403 or 401)',
    async (method, template) => {
      const path = template.replace('{organizationId}', 'another-org').replace(/\{[^}]+\}/g, 'x-unknown');
      const r = await h.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect([401, 403]).toContain(r.status);
      expect(conformance(method, template, r.status, r.body)).toEqual([]);
    },
  );
});
