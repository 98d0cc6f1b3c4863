// The one-call app's bundle size, measured one way for the size ceilings (test/bundle-size.test.ts)
// and the recorded figures (bench/sdk.bench.mjs): esbuild --bundle --minify of an app that makes one
// `transactions.create` call through the BUILT package, then gzip -9 of what loads before that call
// (the app chunk and its static imports; lazily imported chunks load later). `alsoLazy` adds the lazily
// imported chunks whose sources match it, with their static imports (e.g. /[\\/]ky[\\/]/: ky's chunk,
// which the default build starts loading when a KardClient is made).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const sdkDir = join(import.meta.dirname, '..');

/** ky's own files, wherever the package manager puts them: `alsoLazy` for ky's chunk. */
export const KY_SOURCES = /node_modules[\\/](\.pnpm[\\/]ky@[^\\/]+[\\/]node_modules[\\/])?ky[\\/]/;

/**
 * @param {string} entry '@kardkit/sdk' or a subpath  @param {boolean} splitting
 * @param {RegExp} [alsoLazy] count the lazily imported chunks holding a source that matches, too
 */
export async function oneCallGzipBytes(entry, splitting, alsoLazy) {
  const outdir = mkdtempSync(join(os.tmpdir(), 'kardkit-one-call-'));
  try {
    const result = await esbuild.build({
      stdin: {
        contents: `import { KardClient } from '${entry}';
const kard = new KardClient({ organizationId: 'org-1', clientId: process.env.KARD_ID, clientSecret: process.env.KARD_SECRET });
console.log(await kard.transactions.create([{ type: 'transaction', id: 'evt-1', attributes: {} }]));
`,
        resolveDir: sdkDir, // '@kardkit/sdk' resolves to the built package through its own exports
        loader: 'js',
      },
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
    for (const file of Object.keys(outputs)) {
      for (const input of Object.keys(outputs[file].inputs)) {
        if (input.includes('packages/sdk/src/')) throw new Error(`bundled sources, not dist: ${input}`);
      }
    }
    const seen = new Set();
    const stack = Object.keys(outputs).filter(
      (k) =>
        outputs[k].entryPoint === '<stdin>' ||
        (alsoLazy && Object.keys(outputs[k].inputs).some((input) => alsoLazy.test(input))),
    );
    while (stack.length > 0) {
      const file = stack.pop();
      if (seen.has(file)) continue;
      seen.add(file);
      for (const imp of outputs[file].imports) if (imp.kind === 'import-statement') stack.push(imp.path);
    }
    const code = Buffer.concat([...seen].map((file) => readFileSync(join(process.cwd(), file))));
    return gzipSync(code, { level: 9 }).length;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
