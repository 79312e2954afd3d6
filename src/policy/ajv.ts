import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import ajvErrorsModule from 'ajv-errors';
import ajvFormatsModule from 'ajv-formats';

// Both plugins are CommonJS with `module.exports = plugin`; under ESM the default import is that function,
// but their typings describe a `.default`. Resolve the interop in one place.
type FormatsPlugin = typeof ajvFormatsModule.default;
type ErrorsPlugin = typeof ajvErrorsModule.default;
const addFormats = ((ajvFormatsModule as { default?: FormatsPlugin }).default ??
  ajvFormatsModule) as FormatsPlugin;
const addErrors = ((ajvErrorsModule as { default?: ErrorsPlugin }).default ??
  ajvErrorsModule) as ErrorsPlugin;

/** Draft 2020-12 with formats and their comparison keywords (formatMinimum & co.). */
export function createAjv(options: Options = {}): Ajv2020 {
  // Strict types stay on: an untyped `minimum` silently passes the string "97", the kind of hole a gate
  // must not have. Union types (["string", "null"]) are still allowed.
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, ...options });
  addFormats(ajv, { keywords: true });
  return ajv;
}

/**
 * The instance rule schemas are compiled with: strict, every error, `$data` so rules can compare facts with
 * facts (e.g. a date with the injected /now), `verbose` so messages can quote the offending value, and
 * ajv-errors so a rule may phrase its own `errorMessage`.
 */
export function createRuleAjv(): Ajv2020 {
  // validateSchema is off because RuleCompiler checks every rule schema with the precompiled draft 2020-12
  // validator first; Ajv's own check would compile the meta-schema on every run.
  const ajv = createAjv({ $data: true, verbose: true, strictRequired: false, validateSchema: false });
  addErrors(ajv);
  return ajv;
}
