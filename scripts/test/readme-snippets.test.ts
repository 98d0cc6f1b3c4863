// Every TypeScript block of every README is a program that type-checks against the built packages,
// and the blocks marked `run` run against the mock server (scripts/readme-snippets.mjs says how a
// README marks its blocks).
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MockKard, startMockKard } from '@kardkit/mock-server';
import { transformSync } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ESM script without type declarations
import { allSnippets } from '../readme-snippets.mjs';

interface Snippet {
  file: string;
  line: number;
  program: string;
  run: boolean;
  skip: string | null;
}

/** Runs a command to its end; never rejects (the result carries the status and the output). */
function run(cmd: string, args: string[], opts: { timeout: number; env: NodeJS.ProcessEnv }) {
  return new Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }>(
    (done) => {
      execFile(cmd, args, { ...opts, encoding: 'utf8' }, (error, stdout, stderr) => {
        const e = error as (Error & { code?: unknown; signal?: string }) | null;
        done({
          status: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr: e && typeof e.code !== 'number' ? `${stderr}${e.message}` : stderr,
        });
      });
    },
  );
}
// Inside scripts/ so that imports resolve through scripts/node_modules (the workspace packages).
const dir = join(import.meta.dirname, '../.snippets');
const snippets: Snippet[] = allSnippets();
const name = (s: Snippet) => `${s.file.replace(/[/.]/g, '_')}_${s.line}`;
const errors = new Map<string, string[]>();
let kard: MockKard;

beforeAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const s of snippets) {
    if (s.skip) continue;
    // `export {}` makes every block a module, so top-level await and same-named consts are fine.
    writeFileSync(join(dir, `${name(s)}.mts`), `${s.program}\nexport {};\n`);
  }
  // One program for every block, diagnostics per file: a syntax error in one block does not hide
  // the type errors of the others (as one `tsc -p` run would).
  const files = snippets.filter((s) => !s.skip).map((s) => join(dir, `${name(s)}.mts`));
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  });
  for (const file of files) {
    const sf = program.getSourceFile(file)!;
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
    errors.set(
      file,
      diags.map((d) => {
        const { line } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
        return `line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
  }
  kard = await startMockKard({ port: 0, organizationId: 'org-123' });
}, 180_000);

afterAll(async () => {
  await kard?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('README code blocks', () => {
  it('are found, and placeholders stay rare', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(20);
    expect(snippets.filter((s) => s.skip).length).toBeLessThanOrEqual(2);
  });

  it('the quick starts run as pasted', () => {
    const quick = snippets.filter((s) => s.file === 'README.md' || s.file === 'packages/sdk/README.md')[0];
    expect(quick?.run).toBe(true);
    expect(snippets.find((s) => s.file === 'packages/sdk/README.md')?.run).toBe(true);
  });

  for (const s of snippets) {
    const where = `${s.file}:${s.line}`;
    if (s.skip) {
      it.skip(`${where} (placeholder: ${s.skip})`, () => {});
      continue;
    }
    it(`${where} type-checks`, () => {
      expect(errors.get(join(dir, `${name(s)}.mts`))).toEqual([]);
    });
    if (!s.run) continue;
    it(`${where} runs against the mock server`, async () => {
      const js = transformSync(`${s.program}\nexport {};\n`, { loader: 'ts', format: 'esm' }).code;
      const file = join(dir, `${name(s)}.mjs`);
      writeFileSync(file, js);
      // Asynchronous: the mock server answers from this very process.
      const r = await run(process.execPath, [file], {
        timeout: 60_000,
        env: {
          ...process.env,
          KARD_BASE_URL: kard.url,
          KARD_ORGANIZATION_ID: kard.organizationId,
          KARD_CLIENT_ID: kard.clientId,
          KARD_CLIENT_SECRET: kard.clientSecret,
          KARD_WEBHOOK_KEY: kard.webhookSecret,
          KARD_ENVIRONMENT: 'sandbox',
        },
      });
      // The output is shown on failure; a block may print to stderr on purpose (formatIssues).
      expect({
        status: r.status,
        signal: r.signal,
        output: r.status === 0 ? '' : r.stdout + r.stderr,
      }).toEqual({
        status: 0,
        signal: null,
        output: '',
      });
    });
  }
});
