import { defineConfig } from 'tsup';

const common = { sourcemap: true, target: 'node20', treeshake: true } as const;

export default defineConfig([
  {
    // The library entry (programmatic use): ESM + CJS + types.
    ...common,
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
  },
  {
    // The `kard` bin: one ESM file with its shebang (tsup keeps it and marks the file executable).
    ...common,
    entry: ['src/bin.ts'],
    format: ['esm'],
    dts: false,
    clean: false,
  },
]);
