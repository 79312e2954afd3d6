/**
 * How an action declares its inputs, once (src/inputs/<action>.ts): what each holds, its bounds, whether
 * it is a secret, required, its default and its description. The action.yml files, the READMEs' input
 * tables and the bad-input catalogue are checked against these declarations (test/inputs), and the
 * runner masks the secrets they name before the action's code runs.
 */

/** What an input holds, which decides how it is checked and which bad values the tests give it. */
export type InputKind =
  | 'file' // a file the action reads (JSON, YAML, lcov…)
  | 'files' // files or globs, one per line
  | 'policies' // policy files, globs or builtin names
  | 'out' // a file the action writes
  | 'folder' // a folder the action reads
  | 'out-folder' // a folder the action writes into
  | 'url'
  | 'url-list' // name=url lines
  | 'db-url'
  | 'secret' // a token or passphrase
  | 'text' // a name or id on one line
  | 'enum'
  | 'bool'
  | 'int'
  | 'duration'
  | 'command' // a program and its arguments, split into words without a shell
  | 'format'; // anything with a grammar of its own

export interface InputSpec {
  kind: InputKind;
  description: string;
  required?: boolean;
  /** The default action.yml declares (the runner fills it in); absent when it declares none. */
  default?: string;
  /** Masked in every log line from the start of the step, whatever the action does with it. */
  secret?: boolean;
  /** Whole numbers (`int`) or milliseconds (`duration`) accepted, both ends included. */
  min?: number;
  max?: number;
  /** The values an `enum` takes. */
  values?: readonly string[];
}

export type InputDeclarations = Readonly<Record<string, InputSpec>>;

export const HOUR = 3_600_000;

/** The names of the declared secrets, in declaration order. */
export function secretInputs(declared: InputDeclarations): string[] {
  return Object.entries(declared)
    .filter(([, spec]) => spec.secret)
    .map(([name]) => name);
}

/** The default of the inputs that take the job's own token: the runner fills the expression in. */
export const GITHUB_TOKEN_DEFAULT = `\${{ github.token }}`;
