// Finds the TypeScript blocks of every README.md in the repository, so that each can be checked as
// a program (scripts/test/readme-snippets.test.ts). A block is a whole program by default: it is
// type-checked against the built packages. An HTML comment on the line just before the fence
// changes that:
//   <!-- snippet: run -->            also run it against the mock server (KARD_* variables set)
//   <!-- snippet: after -->          the block continues the previous one of the same README: it is
//                                    checked (and run, if marked) with the blocks before it prepended
//   <!-- snippet: skip: <reason> --> not checked (a placeholder; keep these rare, say why)
// Directives combine: <!-- snippet: after, run -->.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/** @returns {{ file: string, line: number, code: string, run: boolean, after: boolean, skip: string | null }[]} */
export function extractSnippets(file, text) {
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const directive = /^<!--\s*snippet:\s*(.*?)\s*-->\s*$/.exec(lines[i - 1] ?? '')?.[1] ?? '';
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${file}:${i + 1}: unterminated code block`);
    const skip = /(?:^|,\s*)skip:\s*(.+)$/.exec(directive)?.[1] ?? null;
    const words = directive
      .replace(/skip:.*$/, '')
      .split(/[\s,]+/)
      .filter(Boolean);
    for (const w of words)
      if (w !== 'run' && w !== 'after') throw new Error(`${file}:${i}: unknown directive ${w}`);
    out.push({
      file,
      line: i + 1,
      code: lines.slice(i + 1, end).join('\n'),
      run: words.includes('run'),
      after: words.includes('after'),
      skip,
    });
    i = end;
  }
  return out;
}

/** Every README.md tracked by git, with its blocks; `program` is the code with its chain prepended. */
export function allSnippets() {
  const files = execFileSync('git', ['ls-files', '*README.md', 'README.md'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
  const snippets = [];
  for (const file of [...new Set(files)]) {
    const found = extractSnippets(file, readFileSync(join(root, file), 'utf8'));
    let chain = [];
    for (const s of found) {
      chain = s.after ? [...chain, s.code] : [s.code];
      snippets.push({ ...s, program: chain.join('\n\n') });
    }
  }
  return snippets;
}
