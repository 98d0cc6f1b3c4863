/**
 * The sample's own input limits, checked before anything is stored. JSON that passes the Kard
 * schemas can still hold what PostgreSQL will not store (a NUL character, a lone UTF-16 surrogate)
 * or what no real event needs (an id of a megabyte, thousands of levels of nesting). Each such
 * value is reported with its path and one of the rule ids below, so the sender can fix that one
 * event while the rest of its request goes through. The limits are documented in the README.
 */
import type { ValidationIssue } from '@kardkit/schemas';

/** Longest id accepted: event ids, user and transaction ids, ids in a URL path. */
export const MAX_ID_LENGTH = 255;
/** Deepest nesting of objects and arrays inside one event, user or notification. */
export const MAX_DEPTH = 32;
/** Largest request bodies (bytes), as given to the body parsers. */
export const MAX_BODY = { transactions: '10mb', users: '100kb', webhooks: '1mb' } as const;
/** Issues reported per event at most (an event full of NULs does not make a huge answer). */
export const MAX_ISSUES_PER_ITEM = 20;

/** Rule ids of the sample's own limits (Kard's rules are R1–R106). */
export const LIMIT_RULES = {
  nul: 'sample/no-nul',
  surrogate: 'sample/well-formed-unicode',
  idLength: 'sample/max-id-length',
  depth: 'sample/max-depth',
} as const;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with one string, if anything: the rule and a message. */
export function badString(value: string): { rule: string; message: string } | null {
  if (value.includes('\u0000')) {
    return { rule: LIMIT_RULES.nul, message: 'contains a NUL character (U+0000), which cannot be stored' };
  }
  if (LONE_SURROGATE.test(value)) {
    return { rule: LIMIT_RULES.surrogate, message: 'contains a lone UTF-16 surrogate (not valid Unicode)' };
  }
  return null;
}

/** An id as it may be used as a key: a non-empty, well-formed string of at most MAX_ID_LENGTH. */
export function badId(value: string): { rule: string; message: string; expected?: string } | null {
  if (value.length > MAX_ID_LENGTH) {
    return {
      rule: LIMIT_RULES.idLength,
      message: `id is ${value.length} characters long`,
      expected: `at most ${MAX_ID_LENGTH} characters`,
    };
  }
  return badString(value);
}

function issueAt(path: string, rule: string, message: string, expected?: string): ValidationIssue {
  return { path, rule, severity: 'error', message, ...(expected ? { expected } : {}) };
}

/** A path segment for a key: `.name`, or `["…"]` quoted as JSON (control characters and lone surrogates escaped). */
function segment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function join(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const s = segment(key);
  return base === '' && s.startsWith('.') ? s.slice(1) : `${base}${s}`;
}

/**
 * Every NUL, lone surrogate (in keys and strings) and nesting deeper than MAX_DEPTH in `value`,
 * walked without recursion so that any depth is safe. At most MAX_ISSUES_PER_ITEM issues.
 */
export function unstorable(value: unknown, path = ''): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path, depth: 0 }];
  while (stack.length > 0 && issues.length < MAX_ISSUES_PER_ITEM) {
    const next = stack.pop() as { value: unknown; path: string; depth: number };
    const v = next.value;
    if (typeof v === 'string') {
      const bad = badString(v);
      if (bad) issues.push(issueAt(next.path, bad.rule, bad.message));
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (next.depth >= MAX_DEPTH) {
      issues.push(
        issueAt(
          next.path,
          LIMIT_RULES.depth,
          'nested too deeply',
          `at most ${MAX_DEPTH} levels of objects and arrays`,
        ),
      );
      continue;
    }
    const entries: [string | number, unknown][] = Array.isArray(v)
      ? v.map((item, i) => [i, item])
      : Object.entries(v as Record<string, unknown>);
    // Pushed in reverse, so issues come out in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string | number, unknown];
      const childPath = join(next.path, key);
      if (typeof key === 'string') {
        const bad = badString(key);
        if (bad) issues.push(issueAt(childPath, bad.rule, `key ${bad.message}`));
      }
      stack.push({ value: child, path: childPath, depth: next.depth + 1 });
    }
  }
  return issues.slice(0, MAX_ISSUES_PER_ITEM);
}

/** Checks the id fields of one event (present ones only; their presence is the schemas' job). */
export function idIssues(
  fields: Record<string, unknown>,
  pathOf: (field: string) => string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value !== 'string' || value.length <= MAX_ID_LENGTH) continue;
    const bad = badId(value) as { rule: string; message: string; expected?: string };
    issues.push(issueAt(pathOf(field), bad.rule, bad.message, bad.expected));
  }
  return issues;
}
