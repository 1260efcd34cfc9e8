// Compiles the CLI to JavaScript in dist/ (run by `prepare`, so `npm install` in a checkout and `npm pack` build it).
// One ES module per command and the code they share, in one flat directory: src/cli/main.ts loads a command's chunk
// only when it runs, and src/package-files.ts finds the files shipped beside the code one level up from every chunk.
// `assess`'s worker thread is an entry of its own (dist/assess-worker.js), beside the chunks that start it.
// Dependencies stay in node_modules (npm installs them with the package); the dashboard page's files are inlined.
// Not minified: stack traces stay readable and error class names (the workflow's contract) stay as written.
import { rm } from 'node:fs/promises';
import * as esbuild from 'esbuild';
import { dashboardPageInline } from '../functions/lib/esbuild-plugins.mjs';

const ROOT = new URL('../', import.meta.url);
const OUT = new URL('dist/', ROOT);

await rm(OUT, { recursive: true, force: true });
const result = await esbuild.build({
  absWorkingDir: new URL('.', ROOT).pathname,
  entryPoints: { cli: 'src/cli/main.ts', 'assess-worker': 'src/local/assess/assess-worker.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  packages: 'external',
  plugins: [dashboardPageInline],
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
process.stderr.write(`dist/: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB\n`);
