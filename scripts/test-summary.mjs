// Sums the vitest json reports of every workspace package into one closing line,
// so CI logs end with a single "N passed, N failed" summary.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['openapi', ...['packages', 'apps'].flatMap((d) => readdirSync(d).map((n) => join(d, n)))];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of roots) {
  const file = join(dir, '.vitest-report.json');
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
