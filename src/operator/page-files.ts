// The dashboard page's source files, read from ./page. There is one copy of the page: Lambda bundles (the stack serves
// the page too, functions/release-dashboard.ts) replace this module with one that holds the same files, inlined at
// build time by functions/lib/esbuild-plugins.mjs (`dashboardPageInline`).
import { readFile } from 'node:fs/promises';

export type PageFile = 'index.html' | 'app.js' | 'style.css';

export function readPageFile(name: PageFile): Promise<string> {
  return readFile(new URL(`./page/${name}`, import.meta.url), 'utf8');
}
