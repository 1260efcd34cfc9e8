// esbuild plugins for the function bundles (serverless.yml custom.esbuild.plugins, and bench/bundle). Most exist to
// make cold starts cheaper by leaving out what a Lambda never runs; bench/RESULTS.md (bundles) has what each saves.
// Our own sources' rewrites (zod import, error class names) are in esbuild-source-rewrites.mjs, X-Ray's in esbuild-xray.mjs.

// zod 4 re-exports every locale as `z.locales`. `import { z } from 'zod'` makes esbuild keep the whole `z` namespace,
// so each bundle carried ~40 locales (~250 KB minified) that no function uses: error messages are English (zod's
// default locale, which its schemas import directly). This keeps `z.locales` down to `en`.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ownSourceRewrites } from './esbuild-source-rewrites.mjs';
import { xrayLambdaOnly } from './esbuild-xray.mjs';

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

/**
 * In Lambda the SDK's default credential chain always succeeds at its first link, the environment the runtime sets.
 * The later links (SSO, shared ini files, credential_process, web-identity token files) each pull in more clients
 * (@aws-sdk/nested-clients: STS, SSO, SSO-OIDC), about 90 kB a bundle, which is parse time on every cold start for
 * code that never runs there. They become links that pass to the next one (container and instance metadata stay).
 */
const SKIPPED_PROVIDERS = {
  '@aws-sdk/credential-provider-sso': 'fromSSO',
  '@aws-sdk/credential-provider-ini': 'fromIni',
  '@aws-sdk/credential-provider-process': 'fromProcess',
  '@aws-sdk/credential-provider-web-identity': 'fromTokenFile',
};

export const lambdaCredentialChain = {
  name: 'lambda-credential-chain',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(SKIPPED_PROVIDERS).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'ota-release-credentials' }));
    build.onLoad({ filter: /.*/, namespace: 'ota-release-credentials' }, (args) => ({
      contents: `export const ${SKIPPED_PROVIDERS[args.path]} = () => async () => {
  throw Object.assign(new Error(${JSON.stringify(`${args.path} is left out of ota-release Lambda bundles (credentials come from the environment)`)}), { name: 'CredentialsProviderError', tryNextLink: true });
};`,
      loader: 'js',
    }));
  },
};

/**
 * The dashboard page's files (src/local/control/page/) are read from disk beside their module, and a bundle has no such
 * files: this replaces src/local/control/page-files.ts with a module that holds the same files as strings, read at
 * build time, so release-dashboard serves the one copy of the page.
 */
export const dashboardPageInline = {
  name: 'dashboard-page-inline',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]local[\\/]control[\\/]page-files\.ts$/ }, async (args) => {
      const dir = join(dirname(args.path), 'page');
      const names = (await readdir(dir)).sort();
      const files = Object.fromEntries(await Promise.all(names.map(async (name) => [name, await readFile(join(dir, name), 'utf8')])));
      return {
        contents: `const FILES = ${JSON.stringify(files)};\nexport async function readPageFile(name) { return FILES[name]; }\n`,
        loader: 'js',
        watchFiles: names.map((name) => join(dir, name)),
      };
    });
  },
};

/**
 * @middy/core imports ReadableStream from node:stream/web for response streaming, which these functions never use
 * (streamifyResponse is off), and that import loads Node's web streams (~1 ms) on every cold start. Node's global
 * ReadableStream is the same class (`globalThis.ReadableStream === require('node:stream/web').ReadableStream`), loaded
 * the first time it is touched; without the import line, middy's code refers to it and nothing else changes.
 */
const MIDDY_STREAM_WEB_IMPORT = 'import { ReadableStream } from "node:stream/web";\n';

export const middyWebStreamsOnDemand = {
  name: 'middy-web-streams-on-demand',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]@middy[\\/]core[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(MIDDY_STREAM_WEB_IMPORT)) throw new Error(`${args.path} no longer imports ReadableStream as expected: review middyWebStreamsOnDemand`);
      return { contents: source.replace(MIDDY_STREAM_WEB_IMPORT, ''), loader: 'js' };
    });
  },
};

export default [zodEnglishOnly, lambdaCredentialChain, dashboardPageInline, ownSourceRewrites(), xrayLambdaOnly, middyWebStreamsOnDemand];
