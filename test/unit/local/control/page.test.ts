import { buildSingleFilePage, renderPage } from '#local/control/page.ts';

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
});
