// Kard deprecated the upload-session operations in favour of the bulk upload URL (R37,
// openapi/kard.yaml `deprecated: true`): users' editors must strike them through and name the
// successor. Checked on the source and on the built declarations users install (`pnpm test` builds
// first), with TypeScript's language service, as an editor does. Runtime: deprecation.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const sdkDir = new URL('..', import.meta.url).pathname;
const deprecated = ['create', 'createPart', 'complete'];

/**
 * What an editor shows for `kard.users.uploads.<name>` in a file importing `from`: TypeScript's
 * "is deprecated" suggestion (code 6385) and the @deprecated text of its quick info.
 */
function editorView(from: string, client: 'main' | 'lite') {
  const file = `${sdkDir}test/__deprecation-probe-${client}.ts`;
  // `send` (the historical upload flow) exists on the main client only.
  const names = client === 'main' ? [...deprecated, 'send'] : deprecated;
  const lines = [
    `import { KardClient } from '${from}';`,
    `declare const kard: KardClient;`,
    ...names.map((n) => `kard.users.uploads.${n};`),
    `kard.transactions.create;`, // the control: not deprecated
  ];
  const text = lines.join('\n');
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [file],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) =>
      f === file
        ? ts.ScriptSnapshot.fromString(text)
        : existsSync(f)
          ? ts.ScriptSnapshot.fromString(readFileSync(f, 'utf8'))
          : undefined,
    getCurrentDirectory: () => sdkDir,
    getCompilationSettings: () => ({
      strict: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      noEmit: true,
    }),
    getDefaultLibFileName: ts.getDefaultLibFilePath,
    fileExists: (f) => f === file || ts.sys.fileExists(f),
    readFile: (f) => (f === file ? text : ts.sys.readFile(f)),
  };
  const service = ts.createLanguageService(host);
  const errors = service
    .getSemanticDiagnostics(file)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  const struck = new Set(
    service
      .getSuggestionDiagnostics(file)
      .filter((d) => d.code === 6385)
      .map((d) => text.slice(d.start, (d.start ?? 0) + (d.length ?? 0))),
  );
  const tagOf = (member: string) => {
    const at = text.indexOf(`uploads.${member};`) + 'uploads.'.length;
    const info = service.getQuickInfoAtPosition(file, at);
    return ts.displayPartsToString(info?.tags?.find((t) => t.name === 'deprecated')?.text);
  };
  return { errors, struck, tagOf };
}

const sources = [
  ['source', '../src/index.js', 'main'],
  ['source', '../src/lite.js', 'lite'],
  // The declarations users install (`pnpm test` builds first): a tag lost by the build shows here.
  ['built', '../dist/index.js', 'main'],
  ['built', '../dist/lite.js', 'lite'],
] as const;

describe('the types mark the upload-session operations @deprecated, naming the successor', () => {
  for (const [kind, from, client] of sources) {
    it(`${kind} ${client} entry (${from})`, () => {
      const view = editorView(from, client);
      expect(view.errors).toEqual([]);
      const expected = client === 'main' ? [...deprecated, 'send'] : deprecated;
      expect([...view.struck].sort()).toEqual([...expected].sort());
      for (const name of deprecated)
        expect(view.tagOf(name)).toMatch(/kard\.transactions\.createBulkUploadUrl/);
      if (client === 'main') expect(view.tagOf('send')).toMatch(/kard\.transactions\.uploadFile/);
      expect(view.tagOf('create')).toMatch(/R37/);
    }, 120_000); // a type-check of the package: seconds, tens of them on a loaded machine
  }
});
