// Generates the precompiled Ajv validators in src/policy/generated/ (scripts/build.mjs writes them, or
// with --check compares them with the committed ones).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Schemas the actions validate on every run are compiled here, ahead of time, into standalone code:
 * compiling them at start-up costs more than the rest of a gate's start. `unicode: false` keeps the
 * generated code free of Ajv runtime requires (lengths are only checked for minLength: 1).
 */
const STANDALONE = {
  dir: 'src/policy/generated/validators',
  schemas: {
    validatePolicyDocument: 'policies/policy.schema.json',
    validateWaiversDocument: 'policies/waivers.schema.json',
    validateComplianceManifest: 'policies/compliance-manifest.schema.json',
    validatePostValidateChecks: 'policies/post-validate-checks.schema.json',
    validateBackupManifest: 'policies/backup-manifest.schema.json',
  },
  // Rule schemas are checked against draft 2020-12 by this precompiled validator instead of Ajv's own
  // validateSchema, which compiles the meta-schema at run time (about 60 ms on every gate).
  builtin: { validateDraft2020: 'https://json-schema.org/draft/2020-12/schema' },
};

/**
 * Standalone code still `require`s a few Ajv runtime helpers (CommonJS with `exports.default`); an ESM
 * module imports them instead. Node hands a namespace whose `default` is `module.exports`, bundlers one
 * whose `default` is `exports.default`: the expression below is `module.exports` in both.
 */
function requiresToImports(code) {
  const modules = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))];
  const imports = modules
    .map(
      (m, i) =>
        `import * as __ns${i} from "${m}.js";const __ajvRuntime${i} = typeof __ns${i}.default === "function" ? __ns${i} : __ns${i}.default;`,
    )
    .join('');
  return imports + modules.reduce((c, m, i) => c.split(`require("${m}")`).join(`__ajvRuntime${i}`), code);
}

/** Builtin policy files: what `builtin:<name>` can name. */
function builtinPolicyFiles(dir = join(root, 'policies')) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? builtinPolicyFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .filter(
      (f) => /\.(json|ya?ml)$/.test(f) && !/\.test\.(json|ya?ml)$/.test(f) && !/\.schema\.json$/.test(f),
    )
    .sort();
}

/**
 * The rules of every builtin policy, compiled with the options of src/policy/ajv.ts createRuleAjv (a test
 * compares both on every policy test case) and keyed by the SHA-256 of the schema's JSON text, as
 * RuleCompiler looks them up. A gate over builtin policies then never loads Ajv.
 */
export function generateBuiltinRules() {
  const { Ajv2020 } = require('ajv/dist/2020.js');
  const standaloneCode = require('ajv/dist/standalone/index.js').default;
  const { _ } = require('ajv/dist/compile/codegen/index.js');
  const addFormats = require('ajv-formats');
  const addErrors = require('ajv-errors');
  const { parse: parseYaml } = require('yaml');
  const { createHash } = require('node:crypto');
  const files = {};
  const loaders = [];
  // One module per policy, loaded by the gate that judges it: a gate then compiles its own rules' code,
  // not that of all seven policies (a rule in two policies is in both modules).
  for (const file of builtinPolicyFiles()) {
    const ajv = new Ajv2020({
      strict: true,
      allowUnionTypes: true,
      allErrors: true,
      $data: true,
      verbose: true,
      strictRequired: false,
      validateSchema: false,
      code: {
        source: true,
        esm: true,
        lines: false,
        formats: _`require("ajv-formats/dist/formats").fullFormats`,
      },
    });
    addFormats(ajv, { keywords: true });
    addErrors(ajv);
    const names = {};
    const text = readFileSync(file, 'utf8');
    const policy = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    for (const rule of policy?.rules ?? []) {
      const key = createHash('sha256').update(JSON.stringify(rule.schema)).digest('hex');
      if (names[key]) continue;
      // Only a schema the draft 2020-12 meta-schema accepts is precompiled: the engine takes a precompiled
      // validator as already checked, and any other rule meets the meta-schema check at run time.
      if (!ajv.validateSchema(rule.schema)) continue;
      try {
        ajv.addSchema(rule.schema, key);
        ajv.getSchema(key);
        names[key] = `rule_${key.slice(0, 16)}`;
      } catch {
        // A rule that does not compile is reported as an error by the engine at run time.
        ajv.removeSchema(key);
      }
    }
    const refs = Object.fromEntries(Object.entries(names).map(([key, name]) => [name, key]));
    const code = Object.keys(refs).length > 0 ? requiresToImports(standaloneCode(ajv, refs)) : '';
    const map = Object.entries(names)
      .map(([key, name]) => `${JSON.stringify(key)}:${name}`)
      .join(',');
    const name = builtinName(file);
    const out = `src/policy/generated/builtin-rules/${name}.js`;
    files[out] =
      `// Generated by scripts/build.mjs from policies/${name}${file.slice(file.lastIndexOf('.'))}. Do not edit.\n${code}\nexport const builtinRuleValidators = {${map}};\n`;
    files[out.replace(/\.js$/, '.d.ts')] =
      `// Generated by scripts/build.mjs. Do not edit.\nimport type { ValidateFunction } from 'ajv';\nexport declare const builtinRuleValidators: Record<string, ValidateFunction>;\n`;
    loaders.push(`  ${JSON.stringify(name)}: () => import(${JSON.stringify(`./builtin-rules/${name}.js`)}),`);
  }
  const index = 'src/policy/generated/builtin-rules.js';
  files[index] =
    `// Generated by scripts/build.mjs from the builtin policies in policies/. Do not edit.\nexport const builtinRuleModules = {\n${loaders.join('\n')}\n};\n`;
  files[index.replace(/\.js$/, '.d.ts')] =
    `// Generated by scripts/build.mjs. Do not edit.\nimport type { ValidateFunction } from 'ajv';\n/** Builtin policy name (e.g. compliance/lgpd) → its rules' validators, keyed by the SHA-256 of the schema's JSON text. */\nexport declare const builtinRuleModules: Record<string, () => Promise<{ builtinRuleValidators: Record<string, ValidateFunction> }>>;\n`;
  return files;
}

/** `builtin:<name>` of a builtin policy file: its path under policies/ without the extension. */
function builtinName(file) {
  return relative(join(root, 'policies'), file)
    .split(/[\\/]/)
    .join('/')
    .replace(/\.(json|ya?ml)$/, '');
}

export function generateValidators() {
  const { Ajv2020 } = require('ajv/dist/2020.js');
  const standaloneCode = require('ajv/dist/standalone/index.js').default;
  // No format checks in these validators: formats would pull all of ajv-formats into the start path.
  // `$data: true` makes the draft 2020-12 meta-schema accept { "$data": pointer } where a rule's Ajv does.
  const ajv = new Ajv2020({
    $data: true,
    strict: true,
    allowUnionTypes: true,
    allErrors: true,
    validateFormats: false,
    code: { source: true, esm: true, lines: false },
  });
  for (const [name, file] of Object.entries(STANDALONE.schemas))
    ajv.addSchema(JSON.parse(readFileSync(join(root, file), 'utf8')), name);
  const refs = {
    ...Object.fromEntries(Object.keys(STANDALONE.schemas).map((n) => [n, n])),
    ...STANDALONE.builtin,
  };
  const names = Object.keys(refs);
  // One module per validator, each imported where it is used: an action then loads only its own (a
  // re-exporting index would put them all in every action's start-up chunk).
  const files = {};
  for (const n of names) {
    const file = join(STANDALONE.dir, `${n}.js`);
    files[file] =
      `// Generated by scripts/build.mjs from ${STANDALONE.schemas[n] ?? 'the draft 2020-12 meta-schema'}. Do not edit.\n${requiresToImports(standaloneCode(ajv, { [n]: refs[n] }))}\n`;
    files[file.replace(/\.js$/, '.d.ts')] =
      `// Generated by scripts/build.mjs. Do not edit.\nimport type { ValidateFunction } from 'ajv';\nexport declare const ${n}: ValidateFunction;\n`;
  }
  return files;
}

/**
 * Which builtin policy each builtin rule belongs to: one waivers file serves every gate, so a gate tells a
 * waiver for another gate's builtin rule from one that names no rule at all, without loading the policies.
 */
export function generateBuiltinRuleOwners() {
  const { parse: parseYaml } = require('yaml');
  const owners = {};
  for (const file of builtinPolicyFiles()) {
    const text = readFileSync(file, 'utf8');
    const policy = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    const name = `builtin:${builtinName(file)}`;
    for (const rule of policy?.rules ?? []) if (typeof rule.id === 'string') owners[rule.id] ??= name;
  }
  const file = 'src/policy/generated/builtin-rule-owners.js';
  return {
    [file]: `// Generated by scripts/build.mjs from the builtin policies in policies/. Do not edit.\nexport const builtinRuleOwners = ${JSON.stringify(owners, null, 2)};\n`,
    [file.replace(/\.js$/, '.d.ts')]:
      '// Generated by scripts/build.mjs. Do not edit.\nexport declare const builtinRuleOwners: Record<string, string>;\n',
  };
}

/** Every generated file, by path relative to the repository root. */
export function generatedFiles() {
  return { ...generateValidators(), ...generateBuiltinRules(), ...generateBuiltinRuleOwners() };
}
