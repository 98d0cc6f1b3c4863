import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KardClient } from '../src/index.js';
import { operations } from '../src/ops.js';

/**
 * openapi/kard.yaml of this repository: the nearest one above this file (three levels up in the
 * repo, deeper when Stryker runs a copy of the package from a sandbox inside it).
 */
function specText(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    const file = new URL('openapi/kard.yaml', dir);
    if (existsSync(file)) return readFileSync(file, 'utf8');
    if (dir.pathname === '/') throw new Error(`no openapi/kard.yaml above ${import.meta.url}`);
  }
}
const spec = specText();
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
