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
    // When the answer's status is documented for the operation, its body must match the spec
    // (only the unknown-upload 404s of the deprecated upload session are undocumented upstream).
    const problems = conformance(method, template, r.status, r.body);
    if (!problems[0]?.startsWith('status ')) expect(problems).toEqual([]);
    else expect(template).toMatch(/uploads\/\{uploadId\}/);
  });
});
