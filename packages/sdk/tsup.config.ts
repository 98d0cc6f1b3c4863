import path from 'node:path';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

/**
 * The generated sdk.gen.ts imports a default ky client from client.gen.ts, created at module top
 * level. KardClient always passes its own client, so that import is swapped for a stub: no ky and no
 * top-level side effect in dist. (The generator option `@hey-api/sdk { client: false }` would make
 * this unnecessary.)
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

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    hem: 'src/hem.ts',
    webhooks: 'src/webhooks.ts',
    errors: 'src/errors.ts',
    lite: 'src/lite.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'node20',
  treeshake: true,
  splitting: true,
  esbuildPlugins: [noDefaultClient],
  // CJS: lazy loads become require() (Jest and other CJS hosts cannot always run import()).
  esbuildOptions(options, context) {
    if (context.format === 'cjs') options.supported = { ...options.supported, 'dynamic-import': false };
  },
});
