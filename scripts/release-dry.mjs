// Shows what the next release would do, without touching this checkout: copies the tracked tree
// to a temporary folder, runs `changeset version` there and prints the version bumps and the new
// changelog entries.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const tmp = mkdtempSync(join(os.tmpdir(), 'kardkit-release-'));
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8' });

try {
  // A copy of the working tree as git sees it (tracked and new files), so uncommitted changesets count.
  const files = sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root)
    .split('\0')
    .filter((f) => f && existsSync(join(root, f)));
  execFileSync('sh', ['-c', `tar -cf - --null -T - | tar -xf - -C "${tmp}"`], {
    cwd: root,
    input: files.join('\0'),
  });
  sh('git', ['init', '-q'], tmp);
  sh('git', ['add', '-A'], tmp);
  sh('git', ['-c', 'user.name=dry', '-c', 'user.email=dry@localhost', 'commit', '-qm', 'before'], tmp);

  execFileSync(join(root, 'node_modules/.bin/changeset'), ['version'], { cwd: tmp, stdio: 'inherit' });

  const changed = sh('git', ['status', '--porcelain'], tmp).trim().split('\n').filter(Boolean);
  console.log('\nVersion bumps:');
  for (const line of changed.filter((l) => l.endsWith('package.json'))) {
    const file = line.slice(3);
    const before = JSON.parse(sh('git', ['show', `HEAD:${file}`], tmp));
    const after = JSON.parse(readFileSync(join(tmp, file), 'utf8'));
    if (before.version !== after.version)
      console.log(`  ${after.name}: ${before.version} -> ${after.version}`);
  }
  console.log('\nChangelog entries:');
  for (const line of changed.filter((l) => l.endsWith('CHANGELOG.md'))) {
    const file = line.slice(3).replace(/^"|"$/g, '');
    console.log(`\n--- ${file}`);
    console.log(sh('git', ['diff', '--no-color', '--', file], tmp).replace(/^(?!\+)[^\n]*\n/gm, ''));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
