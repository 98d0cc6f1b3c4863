// A vitest reporter for mutation runs (each package's vitest.mutation.config.ts). A test file whose
// module fails to load (a top-level `await harness()` that throws, say) has no tests, so Stryker's
// vitest runner, which judges a mutant by the tests' results, would count a mutant that breaks
// start-up as survived although `pnpm test` fails on it. This reporter gives each such file one
// failed test carrying the load error, so the mutant counts as killed.
export default class LoadFailures {
  onTestRunEnd(modules = []) {
    for (const file of modules.map((m) => m.task)) {
      if (file.result?.state !== 'fail' || hasTests(file)) continue;
      file.tasks.push({
        type: 'test',
        id: `${file.id}_load`,
        name: 'the test file loads',
        mode: 'run',
        file,
        suite: file,
        meta: {},
        result: {
          state: 'fail',
          errors: file.result.errors ?? [{ message: 'the test file failed to load' }],
        },
      });
    }
  }
}

const hasTests = (suite) => suite.tasks.some((t) => t.type === 'test' || (t.type === 'suite' && hasTests(t)));
