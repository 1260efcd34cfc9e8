// The dashboard page: three static files in ./page, served by the control server, or folded into one self-contained
// HTML file: `ota-release dashboard --export FILE`, and the read-only page the stack serves to view-link holders
// (functions/release-dashboard.ts).
import { createHash } from 'node:crypto';
import { readPageFile } from './page-files.ts';

/** The files the page loads besides itself, by URL path. */
export const PAGE_ASSETS: Record<string, { type: string; read: () => Promise<string> } | undefined> = {
  '/app.js': { type: 'text/javascript; charset=utf-8', read: () => readPageFile('app.js') },
  '/style.css': { type: 'text/css; charset=utf-8', read: () => readPageFile('style.css') },
};

export interface PageSettings {
  /** Sent with every API call (x-ota-release-token); empty when the API authenticates otherwise. */
  token: string;
  /** Where the releases live, shown in the header. */
  where: string;
  refreshMs: number;
  /** Base URL of the API (`…/api/releases` is appended); empty = the page's own origin. */
  apiBase?: string;
  /** No approve, reject or abort controls: the page only shows (the stack's view links). */
  readOnly?: boolean;
}

export async function renderPage(settings: PageSettings): Promise<string> {
  return fill(await readPageFile('index.html'), settings);
}

export interface SelfContainedPage {
  html: string;
  /** CSP sources that allow exactly the inlined script and stylesheet (`'sha256-…'`), so no 'unsafe-inline' is needed. */
  scriptSource: string;
  styleSource: string;
}

/** One HTML file with the stylesheet and script inlined: no other request than the API calls. */
export async function buildSelfContainedPage(settings: PageSettings): Promise<SelfContainedPage> {
  const [html, css, js] = await Promise.all([readPageFile('index.html'), readPageFile('style.css'), readPageFile('app.js')]);
  const style = `\n${css}`;
  const script = `\n${js.replaceAll('</script', '<\\/script')}`;
  return {
    html: fill(html, settings)
      .replace('<link rel="stylesheet" href="/style.css">', () => `<style>${style}</style>`)
      .replace('<script src="/app.js"></script>', () => `<script>${script}</script>`),
    scriptSource: cspHash(script),
    styleSource: cspHash(style),
  };
}

export async function buildSingleFilePage(settings: PageSettings): Promise<string> {
  return (await buildSelfContainedPage(settings)).html;
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function fill(html: string, settings: PageSettings): string {
  const values: Record<string, string> = {
    TOKEN: settings.token,
    API: settings.apiBase ?? '',
    REFRESH: String(settings.refreshMs),
    WHERE: settings.where,
    MODE: settings.readOnly ? 'read-only' : 'operate',
  };
  return html.replace(/\{\{(TOKEN|API|REFRESH|WHERE|MODE)\}\}/g, (_, key: string) => escapeHtml(values[key] ?? ''));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
