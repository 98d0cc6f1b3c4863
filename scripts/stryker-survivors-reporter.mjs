// A Stryker reporter that writes each surviving or uncovered mutant to
// reports/mutation/survivors.txt as soon as it is tested, so tests can be written for the first
// survivors while a long run goes on (Stryker's own reports appear only at the end). The counts so
// far, per status, are kept in reports/mutation/progress.json.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

const file = 'reports/mutation/survivors.txt';
const progress = 'reports/mutation/progress.json';

function survivorsReporter() {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  const counts = {};
  return {
    onMutantTested(m) {
      counts[m.status] = (counts[m.status] ?? 0) + 1;
      writeFileSync(progress, `${JSON.stringify(counts)}\n`);
      if (m.status !== 'Survived' && m.status !== 'NoCoverage') return;
      const at = `${relative(process.cwd(), m.fileName)}:${m.location.start.line}:${m.location.start.column}`;
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
