/** Exit codes (clig.dev style): 0 ok, 1 data problems, 2 usage or configuration, 3 API or network. */
export const EXIT = { ok: 0, data: 1, usage: 2, api: 3 } as const;

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
