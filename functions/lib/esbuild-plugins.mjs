// esbuild plugins for the function bundles (serverless.yml custom.esbuild.plugins, and bench/bundle).
//
// zod 4 re-exports every locale as `z.locales`. `import { z } from 'zod'` makes esbuild keep the whole `z` namespace,
// so each bundle carried ~40 locales (~250 KB minified) that no function uses: error messages are English (zod's
// default locale, which its schemas import directly). This keeps `z.locales` down to `en`.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const zodRoot = dirname(createRequire(import.meta.url).resolve('zod/package.json'));

export const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(join('node_modules', 'zod', 'v4')) ? { path: 'zod-locales', namespace: 'ota-release' } : undefined,
    );
    build.onLoad({ filter: /^zod-locales$/, namespace: 'ota-release' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(join(zodRoot, 'v4', 'locales', 'en.js'))};`,
      loader: 'js',
      resolveDir: zodRoot,
    }));
  },
};

export default [zodEnglishOnly];
