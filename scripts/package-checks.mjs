// Release-quality checks on what issuers actually install: the packed tarballs.
//  1. publint and @arethetypeswrong/cli on every publishable package;
//  2. consumer projects that install the tarballs (not workspace links) with npm and use them:
//     ESM import, CJS require, TypeScript (moduleResolution node16 and bundler) and an esbuild
//     bundle — each one talks to the mock server over loopback — plus every SDK subpath type-checked
//     under node10, node16 and bundler resolution.
// Run after `pnpm build`:  node scripts/package-checks.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const publishable = [
  'packages/schemas',
  'packages/sdk',
  'packages/mock-server',
  'packages/processors',
  'apps/cli',
];
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'inherit', env: process.env });

const work = mkdtempSync(join(os.tmpdir(), 'kardkit-consumers-'));
let failures = 0;
const step = (name, fn) => {
  try {
    fn();
    console.log(`ok   ${name}`);
  } catch (error) {
    failures++;
    console.error(`FAIL ${name}: ${error.message.split('\n')[0]}`);
  }
};

/**
 * What npm shows and what a stack trace needs: homepage, bugs, keywords, repository.directory; a
 * source map beside every JavaScript file (with the sources inside it, since src/ is not shipped);
 * every file `sideEffects` names is in the tarball.
 */
function checkTarball(pkg, tarball) {
  for (const field of ['homepage', 'bugs', 'keywords', 'repository']) {
    if (!pkg[field]) throw new Error(`package.json has no ${field}`);
  }
  if (!pkg.repository.directory) throw new Error('package.json repository has no directory');
  const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  const js = files.filter((f) => /^dist\/.*\.c?js$/.test(f));
  if (js.length === 0) throw new Error('no JavaScript in dist/');
  const unmapped = js.filter((f) => !files.includes(`${f}.map`));
  if (unmapped.length > 0) throw new Error(`no source map for ${unmapped.join(', ')}`);
  const map = JSON.parse(
    execFileSync('tar', ['xzOf', tarball, `package/${js[0]}.map`], { encoding: 'utf8' }),
  );
  if (!map.sourcesContent?.length || map.sourcesContent.some((c) => !c)) {
    throw new Error(`${js[0]}.map does not carry its sources`);
  }
  for (const f of Array.isArray(pkg.sideEffects) ? pkg.sideEffects : []) {
    if (!files.includes(f.replace(/^\.\//, '')))
      throw new Error(`sideEffects names ${f}, not in the tarball`);
  }
}

// 1. Pack, then lint the tarballs.
const tarballs = {};
for (const dir of publishable) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const out = execFileSync('pnpm', ['pack', '--pack-destination', work], {
    cwd: join(root, dir),
    encoding: 'utf8',
  });
  const file = out.trim().split('\n').pop().trim();
  tarballs[pkg.name] = resolve(work, file);
  step(`publint ${pkg.name}`, () => run(bin('publint'), ['--strict', tarballs[pkg.name]], root));
  step(`metadata, source maps and sideEffects of ${pkg.name}`, () => checkTarball(pkg, tarballs[pkg.name]));
  // The CLI is a bin, not a library: only its package shape matters to attw.
  const attwArgs = pkg.bin && dir.startsWith('apps/') ? ['--entrypoints', '.'] : [];
  step(`attw ${pkg.name}`, () =>
    run(bin('attw'), [tarballs[pkg.name], '--format', 'table-flipped', ...attwArgs], root),
  );
}

// 2. One consumer project with the tarballs installed by npm (with the TypeScript it checks them
// with, in the same install); overrides make npm take our unpublished internal dependencies from the
// tarballs too.
const consumer = join(work, 'consumer');
mkdirSync(consumer);
const deps = Object.fromEntries(Object.entries(tarballs).map(([n, f]) => [n, `file:${f}`]));
const devDependencies = { typescript: '5.9.3', '@types/node': '20' };
writeFileSync(
  join(consumer, 'package.json'),
  JSON.stringify(
    { name: 'consumer', private: true, dependencies: deps, devDependencies, overrides: deps },
    null,
    2,
  ),
);
run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], consumer);

const scenario = (load) => `
${load}
const mock = await startMockKard();
try {
  const kard = new KardClient({ baseUrl: mock.url, organizationId: mock.organizationId, clientId: mock.clientId, clientSecret: mock.clientSecret });
  const ping = await kard.ping();
  if (!ping) throw new Error('no ping answer');
  const hem = await hashEmail('User@Example.com');
  if (hem !== 'b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514') throw new Error('bad HEM ' + hem);
  const check = safeParseTransactionsRequest({ data: [] });
  if (typeof check.success !== 'boolean') throw new Error('schemas did not answer');
  console.log('consumer ok');
} finally {
  await mock.close();
}
`;
writeFileSync(
  join(consumer, 'esm.mjs'),
  scenario(`import { KardClient, hashEmail } from '@kardkit/sdk';
import { startMockKard } from '@kardkit/mock-server';
import { safeParseTransactionsRequest } from '@kardkit/schemas';`),
);
writeFileSync(
  join(consumer, 'cjs.cjs'),
  `(async () => {${scenario(`const { KardClient, hashEmail } = require('@kardkit/sdk');
const { startMockKard } = require('@kardkit/mock-server');
const { safeParseTransactionsRequest } = require('@kardkit/schemas');`)}})().catch((e) => { console.error(e); process.exit(1); });`,
);
const tsSource = scenario(`import { KardClient, hashEmail, KardValidationError } from '@kardkit/sdk';
import { startMockKard } from '@kardkit/mock-server';
import { safeParseTransactionsRequest } from '@kardkit/schemas';
const _typed: typeof KardValidationError = KardValidationError;`);
// Every SDK subpath, typed: old resolvers (node10: Jest < 28, older TypeScript setups) find them through
// the stub folders (lite/, hem/, …) in the package; node16 and bundler through `exports`.
const subpathsSource = `import { KardClient, KardValidationError, validateRequest } from '@kardkit/sdk/lite';
import { hashEmail } from '@kardkit/sdk/hem';
import { signWebhook, verifyWebhook } from '@kardkit/sdk/webhooks';
import { KardError } from '@kardkit/sdk/errors';
const kard = new KardClient({ token: 't', validator: validateRequest });
const created: Promise<unknown> = kard.transactions.create([]);
const hem: Promise<string> = hashEmail('a@b.co');
const error: KardError = new KardValidationError([]);
export const used = [created, hem, error, signWebhook, verifyWebhook];
`;
for (const [name, options, files] of [
  // esModuleInterop as `tsc --init` sets it: zod's CJS declarations need it under node10.
  [
    'node10',
    { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true },
    { 'subpaths.ts': subpathsSource },
  ],
  [
    'node16',
    { module: 'node16', moduleResolution: 'node16' },
    { 'index.mts': `export {};\n${tsSource}`, 'subpaths.mts': subpathsSource },
  ],
  [
    'bundler',
    { module: 'esnext', moduleResolution: 'bundler' },
    { 'index.mts': `export {};\n${tsSource}`, 'subpaths.mts': subpathsSource },
  ],
]) {
  const dir = join(consumer, `ts-${name}`);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        ...options,
        target: 'es2022',
        strict: true,
        noEmit: true,
        types: ['node'],
        skipLibCheck: false,
      },
      include: Object.keys(files),
    }),
  );
}

step('ESM import', () => run('node', ['esm.mjs'], consumer));
step('CJS require', () => run('node', ['cjs.cjs'], consumer));
for (const name of ['node10', 'node16', 'bundler']) {
  step(`TypeScript moduleResolution ${name}`, () =>
    run(join(consumer, 'node_modules/.bin/tsc'), ['-p', `ts-${name}`], consumer),
  );
}
step('esbuild bundle', () => {
  run(
    bin('esbuild'),
    ['esm.mjs', '--bundle', '--platform=node', '--format=esm', '--outfile=bundle.mjs', '--log-level=warning'],
    consumer,
  );
  run('node', ['bundle.mjs'], consumer);
});

rmSync(work, { recursive: true, force: true });
if (failures > 0) {
  console.error(`package checks: ${failures} failed`);
  process.exit(1);
}
console.log('package checks: all passed');
