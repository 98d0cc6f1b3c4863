import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashEmail, normalizeEmail } from '../src/hem.js';

interface Vector {
  name: string;
  input: string;
  normalized: string;
  sha256_hex: string;
}
// The official SDKs' vectors, copied unchanged into test/fixtures (provenance in test/fixtures/README.md).
const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/hem-test-vectors.json', import.meta.url), 'utf8'),
) as Vector[];

describe('hashEmail (R42: hashedEmail is the SHA-256 of the normalised email)', () => {
  it('has all 31 official vectors', () => {
    expect(vectors).toHaveLength(31);
  });

  for (const v of vectors) {
    it(`vector: ${v.name}`, async () => {
      expect(normalizeEmail(v.input)).toBe(v.normalized);
      expect(await hashEmail(v.input)).toBe(v.sha256_hex);
    });
  }

  for (const bad of ['', ' ', '@', 'user', 'user@', '@domain.com', 'a@b@c.com']) {
    it(`rejects ${JSON.stringify(bad)} with a TypeError like the official helper`, async () => {
      await expect(hashEmail(bad)).rejects.toThrow(TypeError);
      await expect(hashEmail(bad)).rejects.toThrow(/Invalid email address/);
    });
  }

  it('property: normalisation is idempotent and the hash is 64 lowercase hex', async () => {
    await fc.assert(
      fc.asyncProperty(fc.emailAddress(), fc.constantFrom('', ' ', '\t', '\n '), async (email, pad) => {
        const raw = `${pad}${email.toUpperCase()}${pad}`;
        const n = normalizeEmail(raw);
        expect(normalizeEmail(n)).toBe(n);
        const h = await hashEmail(raw);
        expect(h).toMatch(/^[0-9a-f]{64}$/);
        expect(await hashEmail(n)).toBe(h);
      }),
      { numRuns: 200 },
    );
  });

  it('property: gmail dots and +tags never change the hash', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[a-z0-9]{1,12}$/),
        fc.array(fc.nat(11), { maxLength: 3 }),
        fc.stringMatching(/^[a-z0-9]{0,6}$/),
        async (local, dots, tag) => {
          let dotted = local;
          for (const d of dots) dotted = `${dotted.slice(0, d)}.${dotted.slice(d)}`;
          const variant = `${dotted}${tag ? `+${tag}` : ''}@googlemail.com`;
          expect(await hashEmail(variant)).toBe(await hashEmail(`${local}@gmail.com`));
        },
      ),
      { numRuns: 200 },
    );
  });
});
