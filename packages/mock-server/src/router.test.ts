import { describe, expect, it } from 'vitest';
import { reply } from './http.js';
import { type AuthKind, Router } from './router.js';

describe('Router', () => {
  const handler = () => reply(200, {});

  it('a route with an unknown auth kind is refused when it is added, naming the route', () => {
    const r = new Router();
    for (const auth of ['', 'Bearer', 'basic'])
      expect(() => r.add([{ method: 'GET', path: '/v2/x', auth: auth as AuthKind, handler }])).toThrow(
        `route GET /v2/x: unknown auth kind ${JSON.stringify(auth)}`,
      );
    expect(r.match('GET', '/v2/x')).toBeNull();
  });

  it('bearer, legacy and none are accepted; params are decoded; a wrong method is told apart', () => {
    const r = new Router();
    r.add([
      { method: 'GET', path: '/a/:id', auth: 'bearer', handler },
      { method: 'POST', path: '/b', auth: 'legacy', handler },
      { method: 'GET', path: '/c', auth: 'none', handler },
    ]);
    expect(r.match('GET', '/a/x%20y/')).toMatchObject({ params: { id: 'x y' } });
    expect(r.match('GET', '/b')).toBe('method');
    expect(r.match('GET', '/d')).toBeNull();
  });
});
