// Build step: an initialised, empty PGlite cluster, gzipped, as dist/pglite-template.tgz. A fresh
// PGLITE_DATA_DIR is created from it (src/db.ts) instead of running initdb, which takes most of a
// first start (seconds to tens of seconds on a busy two-core machine). Migrations still run as usual.
import { mkdirSync, writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

const db = await PGlite.create();
const blob = await db.dumpDataDir('gzip');
await db.close();
const target = new URL('../dist/pglite-template.tgz', import.meta.url);
mkdirSync(new URL('.', target), { recursive: true });
writeFileSync(target, Buffer.from(await blob.arrayBuffer()));
console.log(`wrote dist/pglite-template.tgz (${blob.size} bytes)`);
