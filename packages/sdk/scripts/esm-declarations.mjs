// Runs after tsup (`pnpm build`). tsup writes ONE declaration set, in CommonJS format (dist/*.d.cts;
// see tsup.config.ts), shared by both formats:
//  1. each entry's ESM declaration file (dist/<entry>.d.ts) is written as a one-line re-export of its
//     .d.cts: an ES module may import CommonJS declarations, so import and require see the same types,
//     shipped once;
//  2. ky is ESM-only: a CommonJS declaration file may not `import` it (TS1479 under node16), so the
//     type imports of ky in the .d.cts files are marked `resolution-mode: import` (TypeScript ≥ 5.3).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url);
const entries = ['index', 'lite', 'hem', 'webhooks', 'errors'];
for (const entry of entries) {
  if (!existsSync(new URL(`${entry}.d.cts`, dist)))
    throw new Error(`dist/${entry}.d.cts is missing: run tsup first`);
  writeFileSync(new URL(`${entry}.d.ts`, dist), `export * from './${entry}.cjs';\n`);
}

const esmOnly = /^import (?:type )?(?:(\w+)(?:, )?)?(?:\{ ([^}]*) \})? from '(ky)';$/gm;
for (const file of readdirSync(dist).filter((f) => f.endsWith('.d.cts'))) {
  const url = new URL(file, dist);
  const text = readFileSync(url, 'utf8');
  const out = text.replace(esmOnly, (_, def, named, from) => {
    const names = [def && `default as ${def}`, named].filter(Boolean).join(', ');
    return `import type { ${names} } from '${from}' with { 'resolution-mode': 'import' };`;
  });
  if (out !== text) writeFileSync(url, out);
  if (/from 'ky';$/m.test(out)) throw new Error(`dist/${file}: an import of ky was left unmarked`);
}
