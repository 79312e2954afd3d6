import type { ErrorObject, ValidateFunction } from 'ajv';
import { InputError } from '../errors.js';
// Compiled ahead of time by scripts/build.mjs from policies/*.schema.json (check-dist keeps them current).
import { validatePolicyDocument } from './generated/validators/validatePolicyDocument.js';
import { validateWaiversDocument } from './generated/validators/validateWaiversDocument.js';
import type { StructuredFile } from './structured-file.js';

const VALIDATORS: Record<DocumentKind, ValidateFunction> = {
  policy: validatePolicyDocument,
  waivers: validateWaiversDocument,
};
export type DocumentKind = 'policy' | 'waivers';

/** The most specific error first: deeper pointers say more than "must match a schema in anyOf". */
function mostSpecific(errors: ErrorObject[]): ErrorObject | undefined {
  return [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
}

function describe(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${error.instancePath || '/'} is missing the required property "${String(p.missingProperty)}"`;
    case 'additionalProperties':
      return `${error.instancePath || '/'} has an unknown property "${String(p.additionalProperty)}"`;
    case 'enum':
      return `${error.instancePath || '/'} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * Checks a file read for an input against a schema in policies/, turning the first (most specific)
 * problem into an InputError that names the file, the line, what is wrong and the schema to follow.
 */
export async function assertSchema(
  validate: ValidateFunction,
  file: StructuredFile,
  input: string,
  schemaFile: string,
): Promise<void> {
  if (validate(file.data)) return;
  const errors = validate.errors ?? [];
  const error = mostSpecific(errors);
  if (!error) return;
  // An unknown property is best shown on its own line, not on the line of the object holding it.
  const extra = (error.params as { additionalProperty?: string }).additionalProperty;
  const { line } = await file.locate(
    extra === undefined
      ? error.instancePath
      : `${error.instancePath}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`,
  );
  const others = errors.length - 1;
  throw new InputError(
    input,
    `${file.path} line ${line}: ${describe(error)}${others > 0 ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : ''}`,
    `Make the file match ${schemaFile}.`,
  );
}

/** A policy or waivers file against policies/policy.schema.json or policies/waivers.schema.json. */
export async function assertDocument(kind: DocumentKind, file: StructuredFile, input: string): Promise<void> {
  await assertSchema(VALIDATORS[kind], file, input, `policies/${kind}.schema.json`);
}
