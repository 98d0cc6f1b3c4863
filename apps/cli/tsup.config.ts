import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library entry (programmatic use): ESM + CJS + types.
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: false,
    target: 'node20',
    treeshake: true,
  },
  {
    // The `kard` bin: one ESM file with its shebang (tsup keeps it and marks the file executable).
    entry: ['src/bin.ts'],
    format: ['esm'],
    dts: false,
    clean: false,
    sourcemap: false,
    target: 'node20',
    treeshake: true,
  },
]);
