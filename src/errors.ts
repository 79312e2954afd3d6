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
    super(`Input "${input}": ${shorten(problem)}. ${fix}`);
  }
}

/**
 * A problem quoting what the user gave (a value, a file's first bytes) is cut short: an annotation of
 * 20,000 characters is unreadable, and the value is in the workflow file anyway.
 */
function shorten(problem: string, max = 600): string {
  return problem.length > max ? `${problem.slice(0, max)}… (${problem.length} characters)` : problem;
}

/** Whatever the error, a message without a stack trace. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * A failure whose problems were already annotated, one `::error` each (plan reports every wiring problem
 * at once): the runner logs this summary as a plain line, so no problem is counted twice, and exits 1.
 */
export class ReportedFailure extends Error {
  override readonly name = 'ReportedFailure';
}
