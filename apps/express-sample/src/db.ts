/**
 * One small query interface over two engines: PGlite (embedded PostgreSQL compiled to WebAssembly,
 * the default, so the sample runs with nothing to install) and PostgreSQL through `pg` (when
 * DATABASE_URL is set, so several instances can share one outbox). Both speak the same SQL, so
 * every query in this app is written once.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… — use PostgreSQL. Without it, PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory (file-backed, survives restarts). Without it, PGlite keeps data in memory. */
  dataDir?: string;
  /** Connection pool size for PostgreSQL (default 10: the forwarder's batches in flight and the HTTP side share it). */
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.dataDir);
}

async function openPostgres(connectionString: string, max: number): Promise<Database> {
  const pg = await import('pg');
  // `pg` is CommonJS: under ESM its classes sit on the default export.
  const PoolCtor = (pg.default?.Pool ?? pg.Pool) as typeof Pool;
  const pool = new PoolCtor({ connectionString, max });
  // An idle client that loses its connection emits 'error' on the pool; without a listener
  // that would crash the process. The next query reconnects.
  pool.on('error', () => {});
  const wrap = (client: Pool | PoolClient): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const res = await client.query(sql, params as unknown[]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await client.query(sql); // no parameters: the simple protocol accepts several statements
    },
  });
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (dataDir) mkdirSync(dirname(resolve(dataDir)), { recursive: true }); // PGlite creates only the last level
  // In memory (tests, demos) the template spares initdb on every start too.
  const template = dataDir ? freshDirTemplate(dataDir) : clusterTemplate();
  const options = template ? { loadDataDir: template } : {};
  const db: PGlite = dataDir ? await PGlite.create(dataDir, options) : await PGlite.create(options);
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<R>(sql: string, params: readonly unknown[] = []) {
      const res = await q.query<R>(sql, params as unknown[]);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...wrap(db),
    // PGlite runs one backend, so its transactions are serialised: FOR UPDATE SKIP LOCKED is
    // accepted and simply never has to skip anything.
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
  };
}

/**
 * For a directory that holds no cluster yet: the initialised empty cluster made at build time
 * (scripts/pglite-template.mjs, dist/pglite-template.tgz), so that a first start skips initdb. Without
 * the file (sources run before a build), PGlite runs initdb itself.
 */
export function freshDirTemplate(dataDir: string): Blob | undefined {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return undefined;
  return clusterTemplate();
}

/** The initialised empty cluster made at build time, or undefined before a build. */
export function clusterTemplate(): Blob | undefined {
  const file = new URL('../dist/pglite-template.tgz', import.meta.url);
  return existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
}
