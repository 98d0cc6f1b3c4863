import type { ParseResult } from '@kardkit/schemas';
import { KardValidationError, type ValidationIssue } from '../errors.js';
import type { Logger } from './logger.js';

/** @kardkit/schemas, loaded lazily; only its types are imported statically (no runtime cost). */
export type SchemasModule = typeof import('@kardkit/schemas');
export type { BatchKind, ParseResult } from '@kardkit/schemas';

let loading: Promise<SchemasModule> | undefined;
let loaded: SchemasModule | undefined;

/**
 * @kardkit/schemas (and zod) load on first use, not on import: a one-call app's cold start and
 * initial bundle stay small, and bundlers put the validators in their own chunk.
 */
export function loadSchemas(): Promise<SchemasModule> {
  loading ??= (import('@kardkit/schemas' as string) as Promise<SchemasModule>).then(
    (m) => {
      loaded = m;
      return m;
    },
    (err) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

export function logWarnings(logger: Logger | undefined, issues: readonly ValidationIssue[]): void {
  if (!logger?.warn) return;
  for (const i of issues) {
    if (i.severity === 'warning') {
      logger.warn('kard: validation warning', { path: i.path, rule: i.rule, message: i.message });
    }
  }
}

/**
 * The default validator of the main entry, exported for '@kardkit/sdk/lite' users who want it
 * (`new KardClient({ validator: validateRequest })`). Validates a request body with the named
 * @kardkit/schemas kind; throws KardValidationError with every issue and logs warnings.
 * Synchronous once @kardkit/schemas is loaded (returns a promise only for the first load).
 */
export function validateRequest(
  kind: string,
  body: unknown,
  logger: Logger | undefined,
): void | Promise<void> {
  if (!loaded) return loadSchemas().then(() => validateRequest(kind, body, logger));
  const parse = (loaded as unknown as Record<string, unknown>)[`safeParse${kind}`] as
    | ((input: unknown) => ParseResult<unknown>)
    | undefined;
  if (typeof parse !== 'function') return;
  const result = parse(body);
  if (!result.success) throw new KardValidationError(result.issues);
  if (result.issues.length) logWarnings(logger, result.issues);
}
