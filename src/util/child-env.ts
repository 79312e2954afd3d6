/**
 * Runner variables a user's program (a migration tool, a hook) is never given: the action's own inputs
 * carry tokens, database URLs and keys; the ACTIONS_* tokens reach the runner's cache, artifact and OIDC
 * services; the file commands would let the program set this step's outputs, env or PATH.
 */
const WITHHELD = /^(INPUT_|ACTIONS_|GITHUB_(TOKEN|ENV|PATH|OUTPUT|STATE|STEP_SUMMARY)$)/;

/**
 * The environment for a program the action starts: the step's (so `env:` set for the tool still reaches
 * it), minus what is withheld above, plus what the action passes on purpose (DATABASE_URL, say).
 */
export function childEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  extra: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && !WITHHELD.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}
