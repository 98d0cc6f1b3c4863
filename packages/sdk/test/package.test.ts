import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startMockKard } from '@kardkit/mock-server';
import * as esbuild from 'esbuild';
import ky from 'ky';
import { describe, expect, it } from 'vitest';
import { mockConnection, txn } from './support.js';

// These tests load the BUILT package (dist/), as an issuer would. `pnpm test` runs after `build`.
const require = createRequire(import.meta.url);
const sdkDir = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('package (built dist)', () => {
  it('declares ESM + CJS + types for every subpath and sideEffects: false', () => {
    expect(pkg.sideEffects).toBe(false);
    for (const sub of ['.', './lite', './hem', './webhooks', './errors']) {
      const e = pkg.exports[sub];
      expect(e.import.types).toMatch(/\.d\.ts$/);
      expect(e.require.types).toMatch(/\.d\.cts$/);
    }
  });

  it('every subpath has a stub folder for node10 resolvers (Jest < 28, old TypeScript setups), shipped in files', () => {
    for (const sub of Object.keys(pkg.exports).filter((k) => k !== '.' && k !== './package.json')) {
      const name = sub.slice(2);
      expect(pkg.files).toContain(name);
      const stub = JSON.parse(readFileSync(new URL(`../${name}/package.json`, import.meta.url), 'utf8'));
      // The same files `exports` names for require (types included), relative to the stub folder.
      expect(stub.main).toBe(`.${pkg.exports[sub].require.default}`);
      expect(stub.types).toBe(`.${pkg.exports[sub].require.types}`);
      expect(stub.module).toBe(`.${pkg.exports[sub].import.default}`);
      for (const file of [stub.main, stub.types, stub.module]) {
        expect(() => readFileSync(new URL(`../${name}/${file}`, import.meta.url))).not.toThrow();
      }
    }
  });

  it('CJS black box: valid events go through, an invalid one throws before sending, a mixed batch with validate:false has exactly one rejected item', async () => {
    const sdk = require('../dist/index.cjs');
    const mock = await startMockKard({ port: 0 });
    try {
      const kard = new sdk.KardClient(mockConnection(mock));
      const ok = await kard.transactions.create([txn(), txn()]);
      expect(ok.accepted).toHaveLength(2);
      const before = mock.stats().transactions.received;
      const err = await kard.transactions.create([txn({ cardBIN: '1' })]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(sdk.KardValidationError);
      expect(mock.stats().transactions.received).toBe(before);
      const mixed = await kard.transactions.create([txn(), txn({ cardBIN: '1' }), txn()], {
        validate: false,
      });
      expect(mixed.rejected).toHaveLength(1);
      expect(mixed.accepted).toHaveLength(2);
    } finally {
      await mock.close();
    }
  });

  it('CJS subpaths: hem and webhooks', async () => {
    const { hashEmail } = require('../dist/hem.cjs');
    expect(await hashEmail('User@Example.com')).toBe(
      'b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514',
    );
    const { signWebhook, verifyWebhook } = require('../dist/webhooks.cjs');
    const { KardWebhookSignatureError } = require('../dist/errors.cjs');
    const raw = JSON.stringify({ data: { type: 'auditUpdate', id: 'n1', attributes: {} } });
    const sig = await signWebhook(raw, 'k');
    await expect(verifyWebhook({ rawBody: raw, signature: sig, secret: 'nope' })).rejects.toBeInstanceOf(
      KardWebhookSignatureError,
    );
  });

  it('importing has no side effects and does not load zod (validation loads on first use)', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const before = new Set(Object.keys(globalThis));
         await import('@kardkit/sdk');
         const { createRequire } = await import('node:module');
         const added = Object.keys(globalThis).filter((k) => !before.has(k));
         console.log(JSON.stringify({ added }));`,
      ],
      { cwd: new URL('..', import.meta.url), encoding: 'utf8' },
    );
    expect(JSON.parse(out).added).toEqual([]);
    const esm = readFileSync(new URL('../dist/index.js', import.meta.url), 'utf8');
    expect(esm).not.toMatch(/from ['"]@kardkit\/schemas['"]/);
  });

  it('the main entry is built over ky (ESM loads it as a chunk of its own, CJS bundles it); the lite entry has no ky', () => {
    const read = (f: string) => readFileSync(new URL(`../dist/${f}`, import.meta.url), 'utf8');
    const esm = readdirSync(new URL('../dist/', import.meta.url))
      .filter((f) => /^(index|chunk-.*)\.js$/.test(f))
      .map(read)
      .join('\n');
    // ky loads when a KardClient is made (src/client.default.ts), not with the import: a bundler
    // splits it off the app's first load.
    expect(esm).toMatch(/\bimport\(['"]ky['"]\)/);
    expect(esm).not.toMatch(/^import .* from ['"]ky['"];?$/m);
    // ky is ESM-only: the CJS build carries its own copy instead of require('ky').
    expect(read('index.cjs')).not.toMatch(/require\(['"]ky['"]\)/);
    expect(read('index.cjs')).toContain('throwHttpErrors');
    for (const f of ['lite.js', 'lite.cjs']) {
      expect(read(f)).not.toMatch(/from ['"]ky['"]|require\(['"]ky['"]\)|throwHttpErrors/);
    }
  });

  for (const format of ['esm', 'cjs'] as const) {
    it(`${format}: KardClient from the built main entry sends every request through ky (a ky hook sees them)`, async () => {
      const sdk =
        format === 'cjs' ? require('../dist/index.cjs') : await import('../dist/index.js' as string);
      const mock = await startMockKard({ port: 0 });
      try {
        const seen: string[] = [];
        const hooked = ky.create({
          hooks: { beforeRequest: [(req) => void seen.push(`${req.method} ${new URL(req.url).pathname}`)] },
        });
        const kard = new sdk.KardClient({ ...mockConnection(mock), ky: hooked });
        const r = await kard.transactions.create([txn()]);
        expect(r.accepted).toHaveLength(1);
        expect(seen).toEqual(['POST /v2/auth/token', `POST /v2/issuers/${mock.organizationId}/transactions`]);
        expect(mock.requests).toHaveLength(2);
      } finally {
        await mock.close();
      }
    });
  }

  it('cjs: the Node build (require on Node) sends through ky', async () => {
    const sdk = require('@kardkit/sdk');
    const mock = await startMockKard({ port: 0 });
    try {
      const kard = new sdk.KardClient(mockConnection(mock));
      expect((await kard.transactions.create([txn()])).accepted).toHaveLength(1);
    } finally {
      await mock.close();
    }
  });

  it('export conditions: Node gets the node:http build, browsers and edge runtimes one without Node modules', async () => {
    const inputsFor = async (platform: 'browser' | 'node' | 'neutral') => {
      const result = await esbuild.build({
        stdin: { contents: "export { KardClient } from '@kardkit/sdk';", resolveDir: sdkDir, loader: 'js' },
        bundle: true,
        write: false,
        format: 'esm',
        platform,
        metafile: true,
        logLevel: 'silent',
      });
      return Object.keys(result.metafile.inputs);
    };
    for (const platform of ['browser', 'neutral'] as const) {
      const inputs = await inputsFor(platform); // a Node module would fail to resolve here
      expect(inputs.some((f) => f.endsWith('dist/index.js'))).toBe(true);
      expect(inputs.some((f) => f.includes('index.node'))).toBe(false);
    }
    expect((await inputsFor('node')).some((f) => f.endsWith('dist/index.node.js'))).toBe(true);
    const nodeBuild = readFileSync(new URL('../dist/index.node.js', import.meta.url), 'utf8');
    expect(nodeBuild).toMatch(/^import http from ['"](node:)?http['"]/m);
    expect(require.resolve('@kardkit/sdk')).toMatch(/dist\/index\.node\.cjs$/);
  }, 300_000);

  it('the built declarations type 207-capable calls as PartialResult (test/dist-types/check.ts)', () => {
    const tsc = require.resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'test/dist-types'], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
  }, 300_000); // a whole tsc run: tens of seconds on a loaded two-core machine

  for (const format of ['esm', 'cjs'] as const) {
    it(`${format}: the lite entry validates only when given validateRequest, and throws its own KardValidationError`, async () => {
      const lite = format === 'cjs' ? require('../dist/lite.cjs') : await import('../dist/lite.js' as string);
      const mock = await startMockKard({ port: 0 });
      try {
        const bad = txn({ cardBIN: '4111' });
        const checked = new lite.KardClient({ ...mockConnection(mock), validator: lite.validateRequest });
        const err = await checked.transactions.create([bad]).catch((e: unknown) => e);
        // The same class the entry exports: lite's bundle and the validator share one errors module.
        expect(err).toBeInstanceOf(lite.KardValidationError);
        expect(
          err.issues.some((i: { path: string }) => i.path.startsWith('data[0].attributes.cardBIN')),
        ).toBe(true);
        expect(mock.stats().transactions.received).toBe(0);
        expect((await checked.transactions.create([txn()])).accepted).toHaveLength(1);
        // Without a validator the lite client leaves the judgement to the API (400).
        const unchecked = new lite.KardClient(mockConnection(mock));
        const apiErr = await unchecked.transactions.create([bad]).catch((e: unknown) => e);
        expect(apiErr).toBeInstanceOf(lite.KardBadRequestError);
      } finally {
        await mock.close();
      }
    });
  }

  it('the ESM lite entry has every resource method and no validator', async () => {
    const lite = await import('../dist/lite.js' as string);
    const kard = new lite.KardClient({ baseUrl: 'http://127.0.0.1:1', token: 't', organizationId: 'o' });
    expect(typeof kard.transactions.create).toBe('function');
    expect(typeof kard.users.uploads.createPart).toBe('function');
    expect(typeof kard.organizations.contentStrategies.delete).toBe('function');
    expect((kard as unknown as { transactions: { send?: unknown } }).transactions.send).toBeUndefined();
  });
});
