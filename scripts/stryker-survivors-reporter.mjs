// A Stryker reporter that writes each surviving or uncovered mutant to
// reports/mutation/survivors.txt as soon as it is tested, so tests can be written for the first
// survivors while a long run goes on (Stryker's own reports appear only at the end). The counts so
// far, per status, are kept in reports/mutation/progress.json, and reports/mutation/tested.tsv has a
// line per mutant with the seconds since the previous verdict (what makes a run long).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

const file = 'reports/mutation/survivors.txt';
const progress = 'reports/mutation/progress.json';
const tested = 'reports/mutation/tested.tsv';

function survivorsReporter() {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  writeFileSync(tested, '');
  const counts = {};
  let last = Date.now();
  return {
    onMutantTested(m) {
      counts[m.status] = (counts[m.status] ?? 0) + 1;
      writeFileSync(progress, `${JSON.stringify(counts)}\n`);
      const at = `${relative(process.cwd(), m.fileName)}:${m.location.start.line}:${m.location.start.column}`;
      const now = Date.now();
      appendFileSync(
        tested,
        `${((now - last) / 1000).toFixed(1)}\t${m.status}\t${m.testsCompleted ?? ''}/${m.coveredBy?.length ?? ''}\t${at}\t${m.mutatorName}\n`,
      );
      last = now;
      if (m.status !== 'Survived' && m.status !== 'NoCoverage') return;
      const replacement = String(m.replacement ?? '')
        .replace(/\s+/g, ' ')
        .slice(0, 160);
      appendFileSync(file, `${at}\t${m.status}\t${m.mutatorName}\t${replacement}\n`);
    },
  };
}
survivorsReporter.inject = [];

// The plugin shape of @stryker-mutator/api's declareFactoryPlugin(PluginKind.Reporter, …).
export const strykerPlugins = [{ kind: 'Reporter', name: 'survivors', factory: survivorsReporter }];
