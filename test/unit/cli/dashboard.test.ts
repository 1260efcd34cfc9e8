import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '#cli/commands/dashboard.ts';
import type { MakeViewLink } from '#cli/commands/dashboard-link.ts';
import { NotFoundError } from '#ports/errors.ts';
import { runCli } from '../operator/cli-harness.ts';
import { FakeOperations } from '../operator/fake-operations.ts';

describe('ota-release dashboard', () => {
  it('serves the page and the API on loopback until stopped, then closes', async () => {
    const out: string[] = [];
    const seen: { page?: string; releases?: unknown; afterStop?: unknown } = {};
    let url = '';
    const untilStopped = async () => {
      const loginUrl = /http:\/\/127\.0\.0\.1:\d+\/login\?code=\S+/.exec(out.join(''))![0];
      url = new URL('/', loginUrl).href;
      const login = await fetch(loginUrl, { redirect: 'manual' });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      seen.page = await (await fetch(url, { headers: { cookie } })).text();
      seen.releases = await (await fetch(`${url}api/releases`, { headers: { cookie } })).json();
    };

    const result = await runCli(register, ['dashboard', '--port', '0'], new FakeOperations(), { out, extra: [untilStopped] });

    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Dashboard for test cloud <fake>\n {2}http:\/\/127\.0\.0\.1:\d+\/login\?code=[\w-]+\n/);
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

describe('ota-release dashboard --link', () => {
  const NOW = Date.parse('2026-11-24T10:00:00.000Z');
  function linkMaker() {
    const asked: Parameters<MakeViewLink>[] = [];
    const make: MakeViewLink = async (target, request) => {
      asked.push([target, request]);
      if (request.releaseId === 'nope') throw new NotFoundError(`no release named nope in ${target.stackName}`);
      const expiresAt = new Date(NOW + request.validForSeconds * 1000).toISOString();
      return { releaseId: request.releaseId, url: `https://api.example.com/dashboard?view=v1.${request.releaseId}.x.y`, expiresAt };
    };
    return { make, asked };
  }
  const run = (args: string[], make: MakeViewLink) => runCli(register, ['dashboard', ...args], new FakeOperations(), { extra: [async () => {}, make] });

  it('prints a view link for the release on the chosen stack, valid 24 hours by default', async () => {
    const { make, asked } = linkMaker();

    const result = await run(['--aws', '--stage', 'prod', '--region', 'eu-west-1', '--link', 'fw-2-4-0'], make);

    expect(result.code).toBe(0);
    expect(asked).toEqual([[expect.objectContaining({ kind: 'aws', stackName: 'ota-release-prod', region: 'eu-west-1' }), expect.objectContaining({ releaseId: 'fw-2-4-0', validForSeconds: 86400 })]]);
    expect(result.out).toContain('Read-only dashboard of fw-2-4-0 on ota-release-prod (eu-west-1), valid until 2026-11-25T10:00:00.000Z:\n  https://api.example.com/dashboard?view=v1.fw-2-4-0.x.y\n');
  });

  it('prints the link as JSON for scripts', async () => {
    const { make } = linkMaker();

    const result = await run(['--stage', 'prod', '--link', 'fw-2-4-0', '--valid-for', '8h', '--json'], make);

    expect(JSON.parse(result.out)).toEqual({ releaseId: 'fw-2-4-0', url: expect.stringContaining('/dashboard?view='), expiresAt: '2026-11-24T18:00:00.000Z' });
  });

  it.each([
    ['without --aws', ['--link', 'fw-2-4-0'], /view links are for the dashboard a deployed stack serves: add --aws/],
    ['for an unknown release', ['--aws', '--link', 'nope'], /no release named nope in ota-release-dev/],
    ['a link that lives too long', ['--aws', '--link', 'fw-2-4-0', '--valid-for', '31d'], /a duration from 1m to 30d/],
    ['a duration that is not one', ['--aws', '--link', 'fw-2-4-0', '--valid-for', 'soon'], /a duration from 1m to 30d/],
    ['a release id that is not one', ['--aws', '--link', '../x'], /a release id: letters, digits/],
    ['--valid-for alone', ['--valid-for', '1h'], /--valid-for goes with --link/],
    ['--link with --export', ['--aws', '--link', 'fw-2-4-0', '--export', 'x.html'], /--link and --export do not go together/],
  ])('refuses %s with exit 2 and one line', async (_what, args, message) => {
    const { make } = linkMaker();

    const result = await run(args, make);

    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.out).not.toContain('https://');
  });
});

