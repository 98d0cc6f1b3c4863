import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KardClient } from '../src/index.js';
import { operations } from '../src/ops.js';

const spec = readFileSync(new URL('../../../openapi/kard.yaml', import.meta.url), 'utf8');
const operationIds = [...spec.matchAll(/^\s+operationId:\s*(\S+)\s*$/gm)]
  .map((m) => m[1]!)
  .filter((id) => !id.startsWith('webhooks.'));

describe('every operation of openapi/kard.yaml is a resource method', () => {
  it('the table covers exactly the spec operationIds', () => {
    expect(operationIds.length).toBeGreaterThanOrEqual(45);
    expect(Object.keys(operations).sort()).toEqual([...operationIds].sort());
  });

  it('each operationId is reachable as kard.<path>', () => {
    const kard = new KardClient({ baseUrl: 'http://127.0.0.1:1', token: 't' }) as unknown as Record<
      string,
      unknown
    >;
    for (const id of operationIds) {
      const fn = id.split('.').reduce<unknown>((node, k) => (node as Record<string, unknown>)?.[k], kard);
      expect(typeof fn, id).toBe('function');
    }
  });
});
