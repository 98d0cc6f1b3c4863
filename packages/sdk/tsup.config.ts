import path from 'node:path';
import type { Plugin } from 'esbuild';
import { defineConfig, type Options } from 'tsup';

/**
 * LITE BUILD ONLY. The generated sdk.gen.ts imports a default ky client from client.gen.ts, created
 * at module top level. The lite client passes its own fetch-based stand-in, so for the lite build
 * that import is swapped for a stub: no ky in dist/lite.*. The main entry is built from the generated
 * code as generated, and sends through the generated ky client (src/core/ky-sender.ts);
 * test/package.test.ts checks both.
 */
const noDefaultClient: Plugin = {
  name: 'no-default-generated-client',
  setup(build) {
    build.onResolve({ filter: /^\.\/client\.gen(\.js)?$/ }, (args) =>
      /generated[\\/]sdk\.gen\.ts$/.test(args.importer)
        ? { path: path.resolve('src/core/no-default-client.ts') }
        : undefined,
    );
  },
};

const common: Options = {
  dts: true,
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
  hem: 'src/hem.ts',
  webhooks: 'src/webhooks.ts',
  errors: 'src/errors.ts',
};

export default defineConfig([
  // Main entry, ESM: ky stays an import ('ky' is a dependency).
  { ...common, entry: main, format: ['esm'], splitting: true },
  // Main entry, CJS: ky is ESM-only (require() of it fails on Node 20 before 20.19), so it is bundled in.
  {
    ...common,
    entry: main,
    format: ['cjs'],
    splitting: true,
    noExternal: ['ky'],
    esbuildOptions: cjsOptions,
  },
  // Lite entry: fetch only, no ky.
  {
    ...common,
    entry: { lite: 'src/lite.ts' },
    format: ['esm', 'cjs'],
    splitting: false,
    esbuildPlugins: [noDefaultClient],
    esbuildOptions(options, context) {
      if (context.format === 'cjs') cjsOptions(options, context);
    },
  },
]);
