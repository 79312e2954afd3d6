// Lets Node run the TypeScript sources directly (benchmarks, the demo): our imports name `.js` files (NodeNext
// style) that exist only as `.ts` until bundled, so a missing `.js` resolves to its `.ts` sibling.
import { existsSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
      const url = new URL(specifier, context.parentURL);
      const ts = url.href.replace(/\.js$/, '.ts');
      if (!existsSync(fileURLToPath(url)) && existsSync(fileURLToPath(ts))) return nextResolve(ts, context);
    }
    return nextResolve(specifier, context);
  },
  // @actions/workflow-parser imports its JSON schemas without `with { type: 'json' }`, which Node refuses:
  // they load as modules whose default export is the JSON.
  load(url, context, nextLoad) {
    if (url.endsWith('.json') && url.includes('/node_modules/@actions/workflow-parser/')) {
      return {
        format: 'module',
        source: `export default ${readFileSync(fileURLToPath(url), 'utf8')};`,
        shortCircuit: true,
      };
    }
    return nextLoad(url, context);
  },
});
