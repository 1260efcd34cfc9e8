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
 * The dashboard page's files (src/operator/page/) are read from disk beside their module, and a bundle has no such
 * files: this replaces src/operator/page-files.ts with a module that holds the same files as strings, read at
 * build time, so release-dashboard serves the one copy of the page.
 */
export const dashboardPageInline = {
  name: 'dashboard-page-inline',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]operator[\\/]page-files\.ts$/ }, async (args) => {
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
 * Node loads its web streams (~1 ms) the first time anything touches the global ReadableStream, and two dependencies
 * touch it as they load, for paths these functions never take on Node:
 * - @middy/core imports ReadableStream from node:stream/web for response streaming (streamifyResponse is off). The
 *   global is the same class (`globalThis.ReadableStream === require('node:stream/web').ReadableStream`), so without
 *   the import line middy's code refers to the global, loaded the first time it is touched.
 * - @smithy/core's browser ChecksumStream (S3 checksum validation of a *web* stream body; on Node bodies are Node
 *   streams) declares `class extends ReadableStream` at load. Its one user only reads `ChecksumStream.prototype`, so
 *   the class is declared the first time that is read.
 * Each rewrite checks the exact text it replaces, so a dependency update that changes it fails the build.
 */
const ON_DEMAND = [
  {
    file: /[\\/]node_modules[\\/]@middy[\\/]core[\\/]index\.js$/,
    replace: 'import { ReadableStream } from "node:stream/web";\n',
    with: '',
  },
  {
    file: /[\\/]node_modules[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]serde[\\/]util-stream[\\/]checksum[\\/]ChecksumStream\.browser\.js$/,
    replace: 'const ReadableStreamRef = typeof ReadableStream === "function" ? ReadableStream : function () { };\nexport class ChecksumStream extends ReadableStreamRef {\n}\n',
    with: `let ChecksumStreamClass;
export const ChecksumStream = {
  get prototype() {
    ChecksumStreamClass ??= class ChecksumStream extends (typeof ReadableStream === "function" ? ReadableStream : function () { }) {};
    return ChecksumStreamClass.prototype;
  },
};
`,
  },
];

export const webStreamsOnDemand = {
  name: 'web-streams-on-demand',
  setup(build) {
    for (const rewrite of ON_DEMAND) {
      build.onLoad({ filter: rewrite.file }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(rewrite.replace)) throw new Error(`${args.path} changed: review webStreamsOnDemand in functions/lib/esbuild-plugins.mjs`);
        return { contents: source.replace(rewrite.replace, rewrite.with), loader: 'js' };
      });
    }
  },
};

export default [zodEnglishOnly, lambdaCredentialChain, dashboardPageInline, ownSourceRewrites(), xrayLambdaOnly, webStreamsOnDemand];
