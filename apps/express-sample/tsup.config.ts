import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/main.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: false,
  target: 'node20',
  treeshake: true,
  // import.meta.url in the CommonJS build too (src/db.ts finds the PGlite template beside dist/).
  shims: true,
});
