import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '#cli/commands/dashboard.ts';
import { runCli } from '../local/control/cli-harness.ts';
import { FakeOperations } from '../local/control/fake-operations.ts';

describe('ota-release dashboard', () => {
  it('serves the page and the API on loopback until stopped, then closes', async () => {
    const out: string[] = [];
    const seen: { page?: string; releases?: unknown; afterStop?: unknown } = {};
    let url = '';
    const untilStopped = async () => {
      url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out.join(''))![0];
      seen.page = await (await fetch(url)).text();
      const token = /name="ota-release-token" content="([^"]+)"/.exec(seen.page)![1]!;
      seen.releases = await (await fetch(`${url}api/releases`, { headers: { 'x-ota-release-token': token } })).json();
    };

    const result = await runCli(register, ['dashboard', '--port', '0'], new FakeOperations(), { out, extra: [untilStopped] });

    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Dashboard for test cloud <fake>\n {2}http:\/\/127\.0\.0\.1:\d+\/\n/);
    expect(seen.page).toContain('<title>ota-release</title>');
    expect(seen.releases).toMatchObject({ where: 'test cloud <fake>', releases: [{ releaseId: 'fw-2-4-0' }] });
    await expect(fetch(url)).rejects.toThrow();
  });

  it('exports one self-contained page', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'ota-dash-')), 'dashboard.html');
    const result = await runCli(register, ['dashboard', '--export', file, '--api-base', 'https://api.example.com'], new FakeOperations());
    expect(result.code).toBe(0);
    const html = await readFile(file, 'utf8');
    expect(html).toContain('content="https://api.example.com"');
    expect(html).not.toContain('src="/app.js"');
  });

  it.each([['--port', '70000'], ['--refresh', '0'], ['--api-base', 'https://x']])('refuses %s %s', async (flag, value) => {
    const result = await runCli(register, ['dashboard', flag, value], new FakeOperations(), { extra: [async () => {}] });
    expect(result.code).toBe(2);
  });
});
