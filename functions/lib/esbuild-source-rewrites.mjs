// Rewrites of our own sources (and the Powertools parser's schemas) as they are bundled. esbuild runs one onLoad per
// file, so the rewrites live in one plugin; each can be turned off (bench/bundle measures what each one saves).
import { readFile } from 'node:fs/promises';

/**
 * `import { z } from 'zod'` hands esbuild the `z` namespace as one value, so it keeps every export zod has: JSON Schema
 * conversion both ways, every string format, codecs, the locales (~100 kB minified: parse time on every cold start).
 * Written as `import * as z from 'zod'`, each `z.object`-style use is a static property access and esbuild keeps only
 * what is used. Same module, same schemas, same behaviour: only that one import line changes.
 */
const Z_NAMED_IMPORT = /^import \{ z \} from 'zod';$/gm;
const zodNamespaceImport = (source) => source.replace(Z_NAMED_IMPORT, "import * as z from 'zod';");

const OWN_SOURCES = /[\\/](src|functions)[\\/].*\.ts$/;
const PARSER_SCHEMAS = /[\\/]node_modules[\\/]@aws-lambda-powertools[\\/]parser[\\/]lib[\\/]esm[\\/].*\.js$/;

/**
 * `zodNamespace`: the zod import above, in our .ts files and the parser's schemas. (Error class names, which minifying
 * would rename, are written in the sources themselves: see src/domain/errors.ts.)
 */
export function ownSourceRewrites({ zodNamespace = true } = {}) {
  const rewrites = [zodNamespace && zodNamespaceImport].filter(Boolean);
  return {
    name: 'own-source-rewrites',
    setup(build) {
      const load = (loader, apply) => async (args) => {
        if (loader === 'ts' && /[\\/]node_modules[\\/]/.test(args.path)) return undefined;
        const source = await readFile(args.path, 'utf8');
        const rewritten = apply.reduce((text, rewrite) => rewrite(text), source);
        return rewritten === source ? undefined : { contents: rewritten, loader };
      };
      if (rewrites.length > 0) build.onLoad({ filter: OWN_SOURCES }, load('ts', rewrites));
      if (zodNamespace) build.onLoad({ filter: PARSER_SCHEMAS }, load('js', [zodNamespaceImport]));
    },
  };
}
