// A vitest sequencer for mutation runs (each package's vitest.mutation.config.ts). Stryker runs a
// mutant's covering test files one after another and stops at the first failure, but vitest's own
// order runs the longest files first: a mutant that a 50 ms unit test kills first waits for the
// ten-second suites. This order runs the files that failed last time first (a mutant is often killed
// by the test that killed its neighbour), then the cheapest. Verdicts are the same; only the time to
// reach them changes. (No `extends BaseSequencer`: this file is loaded by path from Stryker's
// sandbox, where `vitest/node` does not resolve from here; vitest needs only `sort` and `shard`.)
import { relative } from 'node:path';

export default class CheapFirst {
  constructor(ctx) {
    this.ctx = ctx;
  }

  async shard(files) {
    return files;
  }

  async sort(files) {
    const { cache, config } = this.ctx;
    const stats = (spec) => {
      const key = `${spec.project.name}:${relative(config.root, spec.moduleId)}`;
      const state = cache.getFileTestResults(key);
      // Never run yet: first, as vitest does (its time is unknown).
      return { failed: state?.failed ?? false, duration: state?.duration ?? -1 };
    };
    const known = new Map(files.map((spec) => [spec, stats(spec)]));
    return [...files].sort((a, b) => {
      const sa = known.get(a);
      const sb = known.get(b);
      if (sa.failed !== sb.failed) return sa.failed ? -1 : 1;
      return sa.duration - sb.duration;
    });
  }
}
