#!/usr/bin/env node
// The `ota-release` command. An installed package runs the compiled CLI (dist/, built by `prepare`); a checkout, which
// has the TypeScript sources, runs them through tsx (a development dependency), so an edit takes effect at once and
// there is still no build step to forget.
import { existsSync } from 'node:fs';
import './polyfills.mjs';

// The SDK warns on every run under Node 20 that its 2027 releases will need Node 22. That is true but not
// actionable mid-release; the README says so once. Set the variable to "false" to see the warning again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `ota-release … | head` closes the pipe early; that is the reader's choice, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const SOURCE = new URL('../src/cli/main.ts', import.meta.url);
const COMPILED = new URL('../dist/cli.js', import.meta.url);

async function loadMain() {
  if (existsSync(SOURCE)) {
    const tsx = await import('tsx/esm/api').catch(() => undefined);
    if (tsx) {
      tsx.register();
      return import(SOURCE.href);
    }
  }
  if (existsSync(COMPILED)) return import(COMPILED.href);
  process.stderr.write('ota-release: neither the compiled CLI (dist/cli.js) nor tsx to run its sources is installed: run `npm install` in the package directory\n');
  process.exit(1);
}

const { main } = await loadMain();
process.exitCode = await main(process.argv);
