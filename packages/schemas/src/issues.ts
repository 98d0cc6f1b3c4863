import type { z } from 'zod';

export type Severity = 'error' | 'warning';

export interface ValidationIssue {
  /** JSON-ish path, e.g. 'data[3].attributes.settledDate'; '' = the root. */
  path: string;
  /** 'R2' when a documented rule applies, else null. */
  rule: string | null;
  /** Warnings never block. */
  severity: Severity;
  /** For people: 'required when status is SETTLED'. */
  message: string;
  /** What was expected, e.g. '6 digits'. */
  expected?: string;
}

export type ParseResult<T> =
  | { success: true; data: T; issues: ValidationIssue[] }
  | { success: false; issues: ValidationIssue[] };

export interface ParseOptions {
  /** Prefix for issue paths, e.g. 'data[3]'. */
  path?: string;
}

export class SchemaValidationError extends Error {
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[], what = 'request') {
    const errors = issues.filter((i) => i.severity === 'error');
    const first = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    super(
      first
        ? `Invalid ${what}: ${first.path || '(root)'}: ${first.message}${first.rule ? ` [${first.rule}]` : ''}${more}`
        : `Invalid ${what}`,
    );
    this.name = 'SchemaValidationError';
    this.issues = issues;
  }
}

/** Fields that hold an R24 date-time. */
export const DATE_KEYS: ReadonlySet<string> = new Set([
  'transactionDate',
  'authorizationDate',
  'settledDate',
  'eventDate',
]);
const DATE_TIME_HINT = 'ISO 8601 date-time with zone, e.g. 1994-11-05T08:15:30-05:00';

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** Append one segment to a path: numbers become [n], keys become .key (or ["odd key"]). */
export function joinPath(base: string, seg: PropertyKey): string {
  if (typeof seg === 'number') return `${base}[${seg}]`;
  const key = String(seg);
  if (IDENT.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

export function pathOf(base: string, segs: readonly PropertyKey[]): string {
  let p = base;
  for (const s of segs) p = joinPath(p, s);
  return p;
}

/** Decides which documented rule an ordinary zod issue belongs to. */
export type RuleResolver = (ctx: {
  key: PropertyKey | undefined;
  /** path segments relative to the parsed input */
  segs: readonly PropertyKey[];
  code: string;
  missing: boolean;
  /** the nearest enclosing object's `type` field, if a string */
  itemType: string | undefined;
}) => string | null;

export const noRules: RuleResolver = () => null;

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    return Number.isInteger(v) ? `the number ${v}` : `the non-integer ${v}`;
  }
  if (typeof v === 'string') return v.length > 40 ? 'a string' : `the string ${JSON.stringify(v)}`;
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
};

interface Walked {
  value: unknown;
  missing: boolean;
  itemType: string | undefined;
}

function walk(root: unknown, segs: readonly PropertyKey[]): Walked {
  let cur: unknown = root;
  let itemType: string | undefined;
  let missing = false;
  if (cur !== null && typeof cur === 'object' && typeof (cur as { type?: unknown }).type === 'string') {
    itemType = (cur as { type: string }).type;
  }
  for (const s of segs) {
    if (cur === null || typeof cur !== 'object') {
      missing = true;
      cur = undefined;
      break;
    }
    const o = cur as Record<PropertyKey, unknown>;
    if (!Object.hasOwn(o, s as PropertyKey)) {
      missing = true;
      cur = undefined;
      break;
    }
    cur = o[s as PropertyKey];
    if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) {
      const t = (cur as { type?: unknown }).type;
      if (typeof t === 'string') itemType = t;
    }
  }
  if (cur === undefined) missing = true;
  return { value: cur, missing, itemType };
}

interface IssueParams {
  rule?: string | null;
  expected?: string;
  severity?: Severity;
}

/** Turns zod issues into ValidationIssues with people-friendly messages and rule ids. */
export function fromZodIssues(
  zIssues: readonly z.core.$ZodIssue[],
  root: unknown,
  base: string,
  resolve: RuleResolver,
  out: ValidationIssue[],
): void {
  for (const iss of zIssues) {
    let segs = iss.path as PropertyKey[];
    const params = (iss as { params?: IssueParams }).params;
    const w = walk(root, segs);
    let message: string;
    let expected: string | undefined;
    let rule: string | null;
    switch (iss.code) {
      case 'invalid_type': {
        const exp = TYPE_WORDS[iss.expected] ?? iss.expected;
        expected = exp;
        message = w.missing ? 'required' : `must be ${exp}, got ${describeValue(w.value)}`;
        break;
      }
      case 'invalid_value': {
        const vals = iss.values.map((v) => String(v));
        expected = vals.length === 1 ? vals[0]! : `one of ${vals.join(', ')}`;
        message = w.missing
          ? 'required'
          : vals.length === 1
            ? `must be ${vals[0]}, got ${describeValue(w.value)}`
            : `must be one of ${vals.join(', ')}; got ${describeValue(w.value)}`;
        break;
      }
      case 'invalid_union': {
        const u = iss as z.core.$ZodIssueInvalidUnion & { discriminator?: string; options?: unknown[] };
        if (u.discriminator !== undefined) {
          // zod reports the discriminator at the object path in some versions; point at the field itself.
          if (segs[segs.length - 1] !== u.discriminator) segs = [...segs, u.discriminator];
          const w2 = walk(root, segs);
          const opts = (u.options ?? []).map(String);
          expected = `one of ${opts.join(', ')}`;
          message = w2.missing
            ? `required (${expected})`
            : `must be ${expected}; got ${describeValue(w2.value)}`;
        } else {
          message = 'does not match any allowed shape';
        }
        break;
      }
      case 'too_small': {
        const n = Number(iss.minimum);
        if (iss.origin === 'string') {
          expected = n <= 1 ? 'a non-empty string' : `at least ${n} characters`;
          message = n <= 1 ? 'must not be empty' : `must be at least ${n} characters`;
        } else if (iss.origin === 'array' || iss.origin === 'set') {
          expected = `at least ${n} item${n === 1 ? '' : 's'}`;
          message = `must have ${expected}`;
        } else {
          expected = `>= ${n}`;
          message = `must be at least ${n}`;
        }
        break;
      }
      case 'too_big': {
        const n = Number(iss.maximum);
        if (iss.origin === 'string') {
          expected = `at most ${n} characters`;
          message = `must be ${expected}`;
        } else if (iss.origin === 'array') {
          expected = `at most ${n} item${n === 1 ? '' : 's'}`;
          message = `must have ${expected}`;
        } else {
          expected = `<= ${n}`;
          message = `must be at most ${n}`;
        }
        break;
      }
      case 'not_multiple_of':
        message = `must be a multiple of ${String(iss.divisor)}`;
        break;
      case 'unrecognized_keys':
        message = `unknown field(s): ${iss.keys.join(', ')}`;
        break;
      case 'invalid_format':
        message = `invalid format (${iss.format})`;
        break;
      case 'custom':
        message = iss.message;
        expected = params?.expected;
        break;
      default:
        message = iss.message;
    }
    const last = segs[segs.length - 1];
    if (params && params.rule !== undefined) rule = params.rule;
    else rule = resolve({ key: last, segs, code: iss.code, missing: w.missing, itemType: w.itemType });
    if (iss.code === 'invalid_type' && typeof last === 'string') {
      if (DATE_KEYS.has(last)) expected = DATE_TIME_HINT;
      if (rule === 'R23') {
        expected = 'integer cents';
        if (!w.missing) message = `must be an integer number of cents, got ${describeValue(w.value)}`;
      }
      if (rule === 'R19' && w.missing)
        message = 'required: a coreTransaction is always SETTLED with settledDate and authorizationDate';
    }
    const issue: ValidationIssue = {
      path: pathOf(base, segs),
      rule,
      severity: params?.severity ?? 'error',
      message,
    };
    if (expected !== undefined) issue.expected = expected;
    out.push(issue);
  }
}

/** Formats issues for people, one line per issue. */
export function formatIssues(issues: readonly ValidationIssue[], opts: { color?: boolean } = {}): string {
  const color = opts.color === true;
  const red = (s: string) => (color ? `\u001b[31m${s}\u001b[39m` : s);
  const yellow = (s: string) => (color ? `\u001b[33m${s}\u001b[39m` : s);
  const dim = (s: string) => (color ? `\u001b[2m${s}\u001b[22m` : s);
  const bold = (s: string) => (color ? `\u001b[1m${s}\u001b[22m` : s);
  return issues
    .map((i) => {
      const sev = i.severity === 'error' ? red('error  ') : yellow('warning');
      const rule = i.rule ? ` ${dim(`[${i.rule}]`)}` : '';
      const exp = i.expected !== undefined ? dim(` (expected: ${i.expected})`) : '';
      return `${sev} ${bold(i.path || '(root)')}: ${i.message}${exp}${rule}`;
    })
    .join('\n');
}

function push(
  out: ValidationIssue[],
  severity: Severity,
  path: string,
  rule: string | null,
  message: string,
  expected: string | undefined,
): void {
  const i: ValidationIssue = { path, rule, severity, message };
  if (expected !== undefined) i.expected = expected;
  out.push(i);
}

export function warn(
  out: ValidationIssue[],
  path: string,
  rule: string | null,
  message: string,
  expected?: string,
): void {
  push(out, 'warning', path, rule, message, expected);
}

export function fail(
  out: ValidationIssue[],
  path: string,
  rule: string | null,
  message: string,
  expected?: string,
): void {
  push(out, 'error', path, rule, message, expected);
}
