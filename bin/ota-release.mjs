#!/usr/bin/env node
// The `ota-release` command: loads the TypeScript CLI through tsx, so there is no build step to forget.
import './polyfills.mjs';

// The SDK warns on every run under Node 20 that its 2027 releases will need Node 22. That is true but not
// actionable mid-release; the README says so once. Set the variable to "false" to see the warning again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { register } from 'tsx/esm/api';

// `ota-release … | head` closes the pipe early; that is the reader's choice, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
