import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Plugin, build } from 'esbuild';
import { buildSelfContainedPage, buildSingleFilePage, renderPage } from '#operator/page.ts';

describe('dashboard page', () => {
  it('fills the settings in, escaping what could break out of an attribute', async () => {
    const html = await renderPage({ token: 'tok', where: '"><script>alert(1)</script>', refreshMs: 500 });

    expect(html).toContain('<meta name="ota-release-token" content="tok">');
    expect(html).toContain('<meta name="ota-release-refresh" content="500">');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toMatch(/\{\{[A-Z]+\}\}/);
  });

  it('builds one self-contained file that loads nothing but the API', async () => {
    const html = await buildSingleFilePage({ token: '', where: 'AWS prod eu-west-1', refreshMs: 5000, apiBase: 'https://api.example.com/prod' });

    expect(html).not.toMatch(/<link rel="stylesheet"|<script[^>]+src=/);
    expect(html).toContain('<meta name="ota-release-api" content="https://api.example.com/prod">');
    expect(html).toContain('function dashboard()');
    expect(html).toContain('--accent');
  });

  it.each([
    [undefined, 'operate'],
    [false, 'operate'],
    [true, 'read-only'],
  ])('tells the script its mode (readOnly %s → %s)', async (readOnly, mode) => {
    const html = await renderPage({ token: 't', where: 'w', refreshMs: 1000, ...(readOnly !== undefined && { readOnly }) });

    expect(html).toContain(`<meta name="ota-release-mode" content="${mode}">`);
  });

  it('gives the CSP hashes of exactly what it inlined', async () => {
    const page = await buildSelfContainedPage({ token: '', where: 'w', refreshMs: 1000 });

    for (const [tag, source] of [['script', page.scriptSource], ['style', page.styleSource]] as const) {
      const inline = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(page.html)![1]!;
      expect(source).toBe(`'sha256-${createHash('sha256').update(inline).digest('base64')}'`);
    }
  });
});

describe('dashboard page in a Lambda bundle', () => {
  it('carries the same files, inlined at build time (functions/lib/esbuild-plugins.mjs)', async () => {
    // Plain JavaScript with no type declarations: imported by URL, typed here.
    const { dashboardPageInline } = (await import(new URL('../../../functions/lib/esbuild-plugins.mjs', import.meta.url).href)) as { dashboardPageInline: Plugin };
    const entry = new URL('../../../src/operator/page-files.ts', import.meta.url).pathname;
    const result = await build({ entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'node', plugins: [dashboardPageInline] });
    const code = result.outputFiles[0]!.text;
    const bundled = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as { readPageFile(name: string): Promise<string> };

    expect(code).not.toContain('readFile(');
    for (const name of ['index.html', 'app.js', 'style.css']) {
      expect(await bundled.readPageFile(name)).toBe(await readFile(new URL(`../../../src/operator/page/${name}`, import.meta.url), 'utf8'));
    }
  });
});
