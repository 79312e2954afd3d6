/**
 * Bad-input cases that do not yet fail clearly, each with why. The suite asserts each still fails, so a
 * fix must take its line out; a case that breaks anew is never added here silently.
 */
export interface KnownFailure {
  /** The case id: `<action> <input> <kind>[#n]`. */
  id: string;
  reason: string;
}

export const KNOWN_FAILURES: KnownFailure[] = [];
