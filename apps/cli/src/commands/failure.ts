import {
  type ApiErrorObject,
  KardAbortError,
  KardApiError,
  KardConnectionError,
  KardError,
  KardTimeoutError,
  KardValidationError,
} from '@kardkit/sdk';
import { CliError, EXIT } from '../errors.js';

/** Maps any failure to a message (secrets are never part of SDK messages) and an exit code. */
export function describeError(e: unknown): { message: string; exitCode: number; error: ApiErrorObject } {
  if (e instanceof CliError)
    return { message: e.message, exitCode: e.exitCode, error: { detail: e.message } };
  if (e instanceof KardValidationError) {
    return { message: e.message, exitCode: EXIT.data, error: { title: 'invalid', detail: e.message } };
  }
  if (e instanceof KardApiError) {
    const first = e.errors[0];
    const error: ApiErrorObject = first ?? { status: String(e.status), detail: e.message };
    // A whole batch refused for its content is a data problem; auth, rate limits and 5xx are API failures.
    const dataProblem = e.status === 400 || e.status === 409 || e.status === 422;
    let hint = '';
    if (e.status === 401 || e.status === 403)
      hint = ' (check the client id/secret, organization id and environment)';
    return {
      // The SDK's message already names the request id.
      message: `${e.message}${hint}`,
      exitCode: dataProblem ? EXIT.data : EXIT.api,
      error,
    };
  }
  if (e instanceof KardConnectionError || e instanceof KardTimeoutError || e instanceof KardAbortError) {
    return { message: e.message, exitCode: EXIT.api, error: { detail: e.message } };
  }
  if (e instanceof KardError) return { message: e.message, exitCode: EXIT.api, error: { detail: e.message } };
  // A local file that cannot be opened or read (--rejected in a missing folder, no permission): usage.
  const sys = e as NodeJS.ErrnoException;
  if (e instanceof Error && typeof sys.code === 'string' && sys.path !== undefined) {
    const message = `cannot use ${sys.path}: ${sys.code}`;
    return { message, exitCode: EXIT.usage, error: { detail: message } };
  }
  const msg = e instanceof Error ? e.message : String(e);
  return { message: msg, exitCode: EXIT.api, error: { detail: msg } };
}
