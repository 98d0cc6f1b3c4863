// Writes packages/schemas/RULES.md from the rule table (src/rule-text.ts, src/rules.ts).
// Run with `pnpm --filter @kardkit/schemas rules:md`; src/rules-md.test.ts fails when the file is stale.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = `import { rules } from './src/rules.ts';
import { renderRulesMarkdown } from './src/rules-md.ts';
export default renderRulesMarkdown(rules);`;

// The sources are TypeScript: bundle the two modules in memory and load the result.
const out = await build({
  stdin: { contents: entry, resolveDir: root, loader: 'ts' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
});
const { default: markdown } = await import(
  `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`
);
const target = new URL('../RULES.md', import.meta.url);
await writeFile(target, markdown);
console.log(`wrote ${fileURLToPath(target)}`);
