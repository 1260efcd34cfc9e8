#!/usr/bin/env node
// The `ota-release` command: loads the TypeScript CLI through tsx, so there is no build step to forget.
import './polyfills.mjs';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
