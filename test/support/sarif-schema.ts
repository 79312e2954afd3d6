import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormatsModule from 'ajv-formats';

type FormatsPlugin = typeof ajvFormatsModule.default;
// ajv-formats is CommonJS; depending on interop its plugin is the default export or its `.default`.
const addFormats = ((ajvFormatsModule as { default?: FormatsPlugin }).default ??
  ajvFormatsModule) as FormatsPlugin;

// The SARIF 2.1.0 (rtm.5) schema, kept in the repository as it was published (schemastore's
// sarif-2.1.0-rtm.5.json, the copy @microsoft/jest-sarif 1.0.0-beta.0 shipped, MIT), so the tests need
// no package for it.
const SCHEMA_PATH = new URL('./sarif-schema-2.1.0.json', import.meta.url);

/** A validator for the official SARIF 2.1.0 schema, compiled by the project's own Ajv. */
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
