// Friendly errors for the kard-mock command line (node:util parseArgs).

/** Edit distance between two short strings: insertions, deletions, substitutions and swaps of neighbours. */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(
        d[i - 1]![j]! + 1,
        row[j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/** A function suggesting the known option closest to a mistyped one (`--prot` → `--port`), if any is close. */
export function closestOption(names: readonly string[]): (given: string) => string | undefined {
  return (given) => {
    const bare = given.replace(/^-+/, '').split('=')[0]!;
    let best: string | undefined;
    let bestD = Number.POSITIVE_INFINITY;
    for (const n of names) {
      const d = distance(bare, n);
      if (d < bestD) {
        best = n;
        bestD = d;
      }
    }
    return best !== undefined && bestD <= Math.max(1, Math.floor(bare.length / 3)) ? `--${best}` : undefined;
  };
}

/** One line for a parseArgs error: what was wrong, and the nearest known option for an unknown one. */
export function parseArgsError(e: unknown, suggest: (given: string) => string | undefined): string {
  const err = e as { code?: string; message?: string };
  const message = String(err?.message ?? e);
  if (err?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']+)'/.exec(message)?.[1] ?? '';
    const near = suggest(given);
    return `unknown option '${given}'${near ? `; did you mean ${near}?` : ''}`;
  }
  if (err?.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const given = /'([^']+)'/.exec(message)?.[1] ?? '';
    return `unexpected argument '${given}'`;
  }
  const first = message.split('\n')[0]!;
  return first.charAt(0).toLowerCase() + first.slice(1);
}
