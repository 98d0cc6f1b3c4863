import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Plugin } from 'esbuild';
import { defineConfig, type Options } from 'tsup';

/**
 * Every build: the generated sdk.gen.ts imports a default ky client from client.gen.ts, created at
 * module top level. KardClient never uses it (the main entry passes the generated ky client it makes
 * per KardClient, src/core/ky-client.ts; the lite entry sends with fetch), so that import is swapped
 * for a stub: no unused client is created on import, and no ky in dist/lite.*. test/package.test.ts
 * checks both.
 */
const noDefaultClient: Plugin = {
  name: 'no-default-generated-client',
  setup(build) {
    // The generated client's fallback ky (it is always given one): ky loads where the SDK imports it
    // (with the entry in the default build, on the first request in the Node build).
    build.onLoad({ filter: /generated[\\/]client[\\/]client\.gen\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source.replace(/^import ky from 'ky';$/m, 'const ky = undefined;');
      if (contents === source) throw new Error(`${args.path}: the fallback ky import was not found`);
      return { contents, loader: 'ts' };
    });
    // Likewise the generated client's server-sent-events helper: no Kard operation streams events.
    build.onResolve({ filter: /^\.\.\/core\/serverSentEvents\.gen(\.js)?$/ }, () => ({
      path: path.resolve('src/core/no-sse.ts'),
    }));
    build.onResolve({ filter: /^\.\/client\.gen(\.js)?$/ }, (args) =>
      /generated[\\/]sdk\.gen\.ts$/.test(args.importer)
        ? { path: path.resolve('src/core/no-default-client.ts') }
        : undefined,
    );
  },
};

// The redaction policy (@kardkit/schemas/redact, src/core/redact.ts) is compiled in: importing the SDK
// loads no other package, and the one-call bundle keeps its size.
const inlined = ['@kardkit/schemas/redact'];

const common: Options = {
  dts: false,
  esbuildPlugins: [noDefaultClient],
  noExternal: inlined,
  // The build script empties dist/ once: three builds write into it side by side.
  clean: false,
  sourcemap: true,
  target: 'node20',
  treeshake: true,
};

// CJS: lazy loads become require() (Jest and other CJS hosts cannot always run import()).
const cjsOptions: Options['esbuildOptions'] = (options) => {
  options.supported = { ...options.supported, 'dynamic-import': false };
};

const main = {
  index: 'src/index.ts',
  // The "node" export condition of '.': shares every chunk with index (one copy of each class).
  'index.node': 'src/index.node.ts',
  hem: 'src/hem.ts',
  webhooks: 'src/webhooks.ts',
  errors: 'src/errors.ts',
};

export default defineConfig([
  // Declarations: ONE set, CommonJS-format (.d.cts), for every entry at once so that what the entries
  // share (the generated types, the client, the errors) is one chunk. An ESM module may import CommonJS
  // declarations, so each entry's .d.ts (written by scripts/esm-declarations.mjs) is a one-line
  // `export * from './<entry>.cjs'`: import and require see the same types, shipped once.
  {
    entry: {
      index: main.index,
      hem: main.hem,
      webhooks: main.webhooks,
      errors: main.errors,
      lite: 'src/lite.ts',
    },
    format: ['cjs'],
    dts: { only: true },
    clean: false,
  },
  // Main entry, ESM: ky stays an import ('ky' is a dependency).
  { ...common, entry: main, format: ['esm'], splitting: true },
  // Main entry, CJS: ky is ESM-only (require() of it fails on Node 20 before 20.19), so it is bundled in.
  {
    ...common,
    entry: main,
    format: ['cjs'],
    splitting: true,
    noExternal: ['ky', ...inlined],
    esbuildOptions: cjsOptions,
  },
  // Lite entry: fetch only, no ky.
  {
    ...common,
    entry: { lite: 'src/lite.ts' },
    format: ['esm', 'cjs'],
    splitting: false,
    esbuildOptions(options, context) {
      if (context.format === 'cjs') cjsOptions(options, context);
    },
  },
]);
