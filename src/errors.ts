/**
 * A problem with what the user gave us (an input, or a file an input names). The runner adapter
 * turns it into exactly one `::error` that names the input, the problem and the fix, and exit code 1.
 * Thrown before anything is changed, so a bad input never leaves half-done work behind.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly input: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`Input "${input}": ${problem}. ${fix}`);
  }
}

/** Whatever the error, a message without a stack trace. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
