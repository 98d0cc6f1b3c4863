/**
 * Exit codes (the table in apps/cli/README.md): 0 ok, 1 data problems (invalid input or records),
 * 2 usage or configuration, 3 API or network, 130 interrupted (Ctrl-C).
 */
export const EXIT = { ok: 0, data: 1, usage: 2, api: 3, interrupted: 130 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}
/** The input itself is unreadable past some point (truncated or corrupt gzip): exit 1, after the readable records. */
export class InputError extends CliError {
  constructor(message: string) {
    super(message, EXIT.data);
    this.name = 'InputError';
  }
}
