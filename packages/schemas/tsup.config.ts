import { defineConfig } from 'tsup';

export default defineConfig({
  // '@kardkit/schemas/redact' is its own entry: the redaction policy, without zod.
  entry: ['src/index.ts', 'src/redact.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  treeshake: true,
});
