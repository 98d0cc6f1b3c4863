import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freshDirTemplate, openDatabase } from '../src/db.js';
import { migrate } from '../src/migrations.js';

const scratch = mkdtempSync(join(tmpdir(), 'kard-sample-template-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a fresh PGLITE_DATA_DIR starts from the build-time template', () => {
  it('the build made the template (dist/pglite-template.tgz)', () => {
    expect(existsSync(new URL('../dist/pglite-template.tgz', import.meta.url))).toBe(true);
  });

  it('a directory without a cluster gets the template; one with a cluster keeps its own', async () => {
    const dir = join(scratch, 'data');
    expect(freshDirTemplate(dir)).toBeInstanceOf(Blob);
    const db = await openDatabase({ dataDir: dir });
    try {
      await migrate(db);
      await db.exec("CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('still here')");
    } finally {
      await db.close();
    }
    expect(freshDirTemplate(dir)).toBeUndefined();
    const again = await openDatabase({ dataDir: dir });
    try {
      expect((await again.query<{ v: string }>('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      expect(await migrate(again)).toEqual([]); // already migrated: the template did not replace it
    } finally {
      await again.close();
    }
  });
});

describe('an in-memory database (PGLITE_DATA_DIR=memory, the tests) starts from the template too', () => {
  it('is created from the template, not by initdb, and works', async () => {
    const create = vi.spyOn(PGlite, 'create');
    try {
      const db = await openDatabase();
      try {
        expect(create).toHaveBeenCalledTimes(1);
        expect(create.mock.calls[0]).toEqual([{ loadDataDir: expect.any(Blob) }]);
        expect(await migrate(db)).not.toEqual([]);
        await db.exec("INSERT INTO kardkit_state (key, value) VALUES ('k', 'v')");
        expect((await db.query('SELECT value FROM kardkit_state')).rows).toEqual([{ value: 'v' }]);
      } finally {
        await db.close();
      }
    } finally {
      create.mockRestore();
    }
  });
});
