#!/usr/bin/env node
// Bundles every action entry (src/actions/*.ts) and the CLI with ncc into the folder its action.yml
// (or bin/) points at. `--check` bundles into a temporary folder and fails when the committed bundles
// differ, so a change to src/ cannot land without its rebuilt dist/.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc');
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

/**
 * Schemas the actions validate on every run are compiled here, ahead of time, into standalone code:
 * compiling them at start-up costs more than the rest of a gate's start. `unicode: false` keeps the
 * generated code free of Ajv runtime requires (lengths are only checked for minLength: 1).
 */
const STANDALONE = {
  file: 'src/policy/generated/document-validators.js',
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
function generateBuiltinRules() {
  const { Ajv2020 } = require('ajv/dist/2020.js');
  const standaloneCode = require('ajv/dist/standalone/index.js').default;
  const { _ } = require('ajv/dist/compile/codegen/index.js');
  const addFormats = require('ajv-formats');
  const addErrors = require('ajv-errors');
  const { parse: parseYaml } = require('yaml');
  const { createHash } = require('node:crypto');
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
  for (const file of builtinPolicyFiles()) {
    const text = readFileSync(file, 'utf8');
    const policy = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    for (const rule of policy?.rules ?? []) {
      const key = createHash('sha256').update(JSON.stringify(rule.schema)).digest('hex');
      if (names[key]) continue;
      try {
        ajv.addSchema(rule.schema, key);
        ajv.getSchema(key);
        names[key] = `rule_${key.slice(0, 16)}`;
      } catch {
        // A rule that does not compile is reported as an error by the engine at run time.
        ajv.removeSchema(key);
      }
    }
  }
  const refs = Object.fromEntries(Object.entries(names).map(([key, name]) => [name, key]));
  const code = Object.keys(refs).length > 0 ? requiresToImports(standaloneCode(ajv, refs)) : '';
  const map = Object.entries(names)
    .map(([key, name]) => `${JSON.stringify(key)}:${name}`)
    .join(',');
  const file = 'src/policy/generated/builtin-rules.js';
  const js = `// Generated by scripts/build.mjs from the builtin policies in policies/. Do not edit.\n${code}\nexport const builtinRuleValidators = {${map}};\n`;
  const dts = `// Generated by scripts/build.mjs. Do not edit.\nimport type { ValidateFunction } from 'ajv';\nexport declare const builtinRuleValidators: Record<string, ValidateFunction>;\n`;
  return { [file]: js, [file.replace(/\.js$/, '.d.ts')]: dts };
}

function generateValidators() {
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
  const names = Object.keys({ ...STANDALONE.schemas, ...STANDALONE.builtin });
  const code = requiresToImports(
    standaloneCode(ajv, {
      ...Object.fromEntries(Object.keys(STANDALONE.schemas).map((n) => [n, n])),
      ...STANDALONE.builtin,
    }),
  );
  const js = `// Generated by scripts/build.mjs from ${Object.values(STANDALONE.schemas).join(', ')} and the draft 2020-12 meta-schema. Do not edit.\n${code}\n`;
  const dts = `// Generated by scripts/build.mjs. Do not edit.\nimport type { ValidateFunction } from 'ajv';\n${names.map((n) => `export declare const ${n}: ValidateFunction;`).join('\n')}\n`;
  return { [STANDALONE.file]: js, [STANDALONE.file.replace(/\.js$/, '.d.ts')]: dts };
}

/** The root action (policy-gate) builds into dist/, every other action into actions/<name>/dist, the CLI into dist/cli. */
function bundles() {
  const actions = readdirSync(join(root, 'src', 'actions'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => basename(f, '.ts'))
    .sort()
    .map((name) => ({
      entry: join('src', 'actions', `${name}.ts`),
      out: name === 'policy-gate' ? 'dist' : join('actions', name, 'dist'),
    }));
  return [...actions, { entry: join('src', 'cli', 'index.ts'), out: join('dist', 'cli') }];
}

/**
 * libpg-query's Emscripten loader reads libpg-query.wasm from the folder of the code that runs it, which
 * no bundler sees: a bundle holding that loader gets the file beside it (see src/migrate/sql-parser.ts).
 */
const WASM_LOADER = 'locateFile("libpg-query.wasm")';
const wasmFiles = (files) =>
  Object.values(files).some((c) => String(c).includes(WASM_LOADER))
    ? { 'libpg-query.wasm': readFileSync(require.resolve('libpg-query/wasm/libpg-query.wasm')) }
    : {};

async function bundle({ entry, out }, outRoot, beforeWrite = () => {}) {
  const { code, assets } = await ncc(join(root, entry), {
    quiet: true,
    minify: true,
    sourceMap: false,
    target: 'es2023',
    // Builds must be byte-identical across machines for check-dist to mean anything.
    cache: false,
  });
  const dir = join(outRoot, out);
  beforeWrite();
  mkdirSync(dir, { recursive: true });
  const bundled = {
    'index.js': code,
    ...Object.fromEntries(Object.entries(assets ?? {}).map(([f, a]) => [f, a.source])),
  };
  const files = { ...bundled, ...wasmFiles(bundled) };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return Object.keys(files);
}

/** Files in a bundle folder, leaving out bundles nested in it (dist/cli inside dist/). */
function committedFiles(out, all) {
  const dir = join(root, out);
  const nested = all
    .filter((b) => b.out !== out && b.out.startsWith(`${out}/`))
    .map((b) => `${relative(out, b.out)}/`);
  const walk = (d) =>
    existsSync(d)
      ? readdirSync(d, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? walk(join(d, e.name)) : [relative(dir, join(d, e.name))],
        )
      : [];
  return walk(dir).filter((f) => !nested.some((n) => f.startsWith(n)));
}

/**
 * ncc names chunks after the paths of the modules in them, so a node_modules that resolves outside the
 * checkout (a symlink to another clone) gives other chunk names than CI's `npm ci` does.
 */
function assertLocalNodeModules() {
  const modules = join(root, 'node_modules');
  if (existsSync(modules) && realpathSync(modules) !== modules) {
    console.error(
      `build: ${modules} resolves to ${realpathSync(modules)}; bundles built from it differ from CI's.\n` +
        'Install the dependencies in this checkout (npm ci, or cp -al of another node_modules) and build again.',
    );
    process.exit(1);
  }
}

async function main() {
  assertLocalNodeModules();
  const generated = { ...generateValidators(), ...generateBuiltinRules() };
  if (check) {
    const stale = Object.entries(generated).filter(
      ([f, c]) => !existsSync(join(root, f)) || readFileSync(join(root, f), 'utf8') !== c,
    );
    if (stale.length > 0) {
      console.error(
        `check-dist: generated validators are stale (run \`npm run build\` and commit them):\n  ${stale.map(([f]) => f).join('\n  ')}`,
      );
      process.exit(1);
    }
  } else {
    for (const [f, c] of Object.entries(generated)) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), c);
    }
  }
  const all = bundles();
  if (!check) {
    for (const b of all) {
      // Old files (chunks of another build) go only once the new bundle is ready to be written.
      await bundle(b, root, () => {
        for (const f of committedFiles(b.out, all)) rmSync(join(root, b.out, f));
      });
      console.log(`built ${b.out}/index.js`);
    }
    return;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'deploy-gates-dist-'));
  const stale = [];
  try {
    for (const b of all) {
      const fresh = await bundle(b, tmp);
      for (const file of new Set([...fresh, ...committedFiles(b.out, all)])) {
        const built = join(tmp, b.out, file);
        const committed = join(root, b.out, file);
        if (
          !existsSync(built) ||
          !existsSync(committed) ||
          !readFileSync(built).equals(readFileSync(committed))
        ) {
          stale.push(join(b.out, file));
        }
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (stale.length > 0) {
    console.error(
      `check-dist: these bundles do not match src/ (run \`npm run build\` and commit them):\n  ${stale.join('\n  ')}`,
    );
    process.exit(1);
  }
  console.log(`check-dist: ${all.length} bundles match src/`);
}

await main();
