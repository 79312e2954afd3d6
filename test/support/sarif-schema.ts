import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormatsModule from 'ajv-formats';

type FormatsPlugin = typeof ajvFormatsModule.default;
// ajv-formats is CommonJS; depending on interop its plugin is the default export or its `.default`.
const addFormats = ((ajvFormatsModule as { default?: FormatsPlugin }).default ??
  ajvFormatsModule) as FormatsPlugin;

const SCHEMA_PATH = new URL(
  '../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
  import.meta.url,
);

/** A validator for the official SARIF 2.1.0 schema (as shipped by @microsoft/jest-sarif). */
export function sarifValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  // The official schema declares draft-04 (`$schema`, `id`), which Ajv 8 does not ship; its
  // keywords are all valid draft-07, so validate it as draft-07.
  delete schema.$schema;
  delete schema.id;
  // Its `language` pattern has a stray `]`, legal only in non-Unicode regular expressions.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}
