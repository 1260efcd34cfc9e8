// The esbuild options every Lambda bundle is built with, read from serverless.yml (custom.esbuild) so that the bench
// (bench/bundle) and the bundle tests build exactly what `npm run package` deploys.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const ROOT = new URL('../../', import.meta.url);
// serverless.yml's CloudFormation tags; only custom.esbuild and the handlers are read here.
const CFN_TAGS = ['Ref', 'GetAtt', 'Sub'].map((name) => ({ tag: `!${name}`, resolve: (value) => value }));

/** `{ options, plugins, functions }`: esbuild options without serverless-esbuild's own keys, and `[{ name, entry }]`. */
export async function lambdaBuild() {
  const yml = parse(readFileSync(new URL('serverless.yml', ROOT), 'utf8'), { customTags: CFN_TAGS });
  const { plugins: pluginsPath, exclude: _exclude, outputFileExtension: _extension, ...options } = yml.custom.esbuild;
  const plugins = pluginsPath ? (await import(new URL(pluginsPath, ROOT).href)).default : [];
  const functions = Object.entries(yml.functions).map(([name, fn]) => ({
    name,
    entry: new URL(`${fn.handler.replace(/\.handler$/, '')}.ts`, ROOT).pathname,
  }));
  return { options: { ...options, absWorkingDir: ROOT.pathname }, plugins, functions };
}
