/** An error the CLI shows as `error: message` / `hint: hint` and exits 1 (or 2 for usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, hint, 2, 'E_USAGE');
}
