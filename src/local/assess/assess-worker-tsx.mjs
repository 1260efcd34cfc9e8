// The worker thread of `assess` when the CLI runs from its TypeScript sources (a checkout, the tests): bin/ota-release.mjs
// registers tsx with module.register, and on Node 20 a worker thread does not inherit that loader, so the worker
// registers its own before it loads the TypeScript entry. The compiled CLI starts dist/assess-worker.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./assess-worker.ts');
