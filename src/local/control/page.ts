// The dashboard page: three static files in ./page, served by the control server, or folded into one self-contained
// HTML file (`ota-release dashboard --export FILE`) that any static host can serve next to the approval API.
import { readFile } from 'node:fs/promises';

const PAGE_DIR = new URL('./page/', import.meta.url);

const read = (name: string) => () => readFile(new URL(name, PAGE_DIR), 'utf8');

/** The files the page loads besides itself, by URL path. */
export const PAGE_ASSETS: Record<string, { type: string; read: () => Promise<string> } | undefined> = {
  '/app.js': { type: 'text/javascript; charset=utf-8', read: read('app.js') },
  '/style.css': { type: 'text/css; charset=utf-8', read: read('style.css') },
};

export interface PageSettings {
  /** Sent with every API call (x-ota-release-token); empty when the API authenticates otherwise. */
  token: string;
  /** Where the releases live, shown in the header. */
  where: string;
  refreshMs: number;
  /** Base URL of the API (`…/api/releases` is appended); empty = the page's own origin. */
  apiBase?: string;
}

export async function renderPage(settings: PageSettings): Promise<string> {
  return fill(await read('index.html')(), settings);
}

/** One HTML file with the stylesheet and script inlined: no other request than the API calls. */
export async function buildSingleFilePage(settings: PageSettings): Promise<string> {
  const [html, css, js] = await Promise.all([read('index.html')(), read('style.css')(), read('app.js')()]);
  return fill(html, settings)
    .replace('<link rel="stylesheet" href="/style.css">', () => `<style>\n${css}</style>`)
    .replace('<script src="/app.js"></script>', () => `<script>\n${js.replaceAll('</script', '<\\/script')}</script>`);
}

function fill(html: string, settings: PageSettings): string {
  const values: Record<string, string> = {
    TOKEN: settings.token,
    API: settings.apiBase ?? '',
    REFRESH: String(settings.refreshMs),
    WHERE: settings.where,
  };
  return html.replace(/\{\{(TOKEN|API|REFRESH|WHERE)\}\}/g, (_, key: string) => escapeHtml(values[key] ?? ''));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
