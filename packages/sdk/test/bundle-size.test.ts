import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';

// Size ceilings of a one-call app (minified, gzip -9) bundled from the BUILT package. Raise a ceiling
// only in the commit that grows the bundle, and write the new figure in that commit's message.
const LITE_CEILING = 6_600; // measured 6,517 bytes (sdk: one timer per client, no security lists); the official SDK's one-call app is 13.3 KB
const MAIN_BEFORE_CALL_CEILING = 16_500; // measured 15,704 bytes (ky client; validators load on first call)

const sdkDir = join(import.meta.dirname, '..');
const app = (entry: string) => `import { KardClient } from '${entry}';
const kard = new KardClient({ organizationId: 'org-1', clientId: process.env.KARD_ID, clientSecret: process.env.KARD_SECRET });
console.log(await kard.transactions.create([{ type: 'transaction', id: 'evt-1', attributes: {} }]));
`;

/** Gzipped bytes of what loads before the call: the entry chunk and its static imports. */
async function oneCallBytes(entry: string, splitting: boolean): Promise<number> {
  const outdir = mkdtempSync(join(os.tmpdir(), 'kardkit-size-'));
  try {
    const result = await esbuild.build({
      stdin: { contents: app(entry), resolveDir: sdkDir, loader: 'js' },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      splitting,
      outdir,
      entryNames: 'app',
      metafile: true,
      logLevel: 'error',
    });
    const outputs = result.metafile.outputs;
    const seen = new Set<string>();
    // Start from the app itself: lazily imported modules are entry points of their own chunks.
    const stack = Object.keys(outputs).filter((k) => outputs[k]?.entryPoint === '<stdin>');
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const imp of outputs[file]?.imports ?? [])
        if (imp.kind === 'import-statement') stack.push(imp.path);
    }
    let bytes = 0;
    for (const file of seen) bytes += gzipSync(readFileSync(join(process.cwd(), file)), { level: 9 }).length;
    return bytes;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('bundle size of a one-call app (built package)', () => {
  it(`@kardkit/sdk/lite stays under ${LITE_CEILING} bytes gzipped`, async () => {
    const bytes = await oneCallBytes('@kardkit/sdk/lite', false);
    expect(bytes).toBeGreaterThan(1_000); // a real bundle, not an empty one
    expect(bytes).toBeLessThanOrEqual(LITE_CEILING);
  });

  it(`@kardkit/sdk loads under ${MAIN_BEFORE_CALL_CEILING} bytes gzipped before the first call`, async () => {
    const bytes = await oneCallBytes('@kardkit/sdk', true);
    expect(bytes).toBeGreaterThan(1_000);
    expect(bytes).toBeLessThanOrEqual(MAIN_BEFORE_CALL_CEILING);
  });
});
