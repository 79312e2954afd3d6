import type { ErrorObject, ValidateFunction } from 'ajv';
import { InputError } from '../errors.js';
// Compiled ahead of time by scripts/build.mjs from policies/*.schema.json (check-dist keeps them current).
import { validatePolicyDocument, validateWaiversDocument } from './generated/document-validators.js';
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
      return `${error.instancePath} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * Checks a policy or waivers file against its schema in policies/, turning the first (most specific)
 * problem into an InputError that names the file, the JSON Pointer, the line and what is expected.
 */
export async function assertDocument(kind: DocumentKind, file: StructuredFile, input: string): Promise<void> {
  const validate = VALIDATORS[kind];
  if (validate(file.data)) return;
  const error = mostSpecific(validate.errors ?? []);
  if (!error) return;
  const { line } = await file.locate(error.instancePath);
  const others = (validate.errors?.length ?? 1) - 1;
  throw new InputError(
    input,
    `${file.path} line ${line}: ${describe(error)}${others > 0 ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : ''}`,
    `Make the file match policies/${kind === 'policy' ? 'policy' : 'waivers'}.schema.json.`,
  );
}
