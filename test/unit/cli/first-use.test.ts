// Rough edges a first user hits with a release file: each gets one clear answer in the first round.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatDuration } from '#domain/duration.ts';
import { printable } from '#cli/render/terminal.ts';
import { runCli } from '../../support/run-cli.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-first-use-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const release = (overrides: { product?: string; bake?: string; file?: string } = {}) => `
releaseId: r-1
product: ${JSON.stringify(overrides.product ?? 'edge-gateway')}
firmware: { version: 2.4.0, previousVersion: 2.3.1, source: { file: ${overrides.file ?? 'image.bin'} } }
fleet: { thingGroups: [gateways] }
stages:
  - { name: fleet, targets: { percent: 100 }, bake: ${overrides.bake ?? '1h'} }
`;

async function validate(text: string, ...flags: string[]) {
  await writeFile(join(dir, 'image.bin'), Buffer.alloc(64, 1));
  await writeFile(join(dir, 'release.yaml'), text);
  return runCli('validate', join(dir, 'release.yaml'), ...flags);
}

describe('a release file', () => {
  it('with a YAML alias bomb is bad input (exit 2), with JSON under --json', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`)];
    const { code, out } = await validate(levels.join('\n'), '--json');
    expect(code).toBe(2);
    expect(JSON.parse(out)).toMatchObject({ valid: false, problems: [expect.stringMatching(/Excessive alias count/)] });
  });

  it('with a negative duration says it is negative', async () => {
    expect((await validate(release({ bake: '-2h' }))).err).toContain('stages[0].bake: a duration cannot be negative, got "-2h"');
    expect((await validate(release({ bake: '-7200' }))).err).toContain('stages[0].bake: a duration cannot be negative, got -7200');
    expect(formatDuration(-5400)).toBe('-1h30m');
  });

  it('with a wrong field and a missing image reports both at once', async () => {
    const { code, err } = await validate(release({ bake: 'soon', file: 'missing.bin' }));
    expect(code).toBe(2);
    expect(err).toContain('stages[0].bake: expected a duration');
    expect(err).toMatch(/firmware\.source\.file: no such file .*missing\.bin/);
  });

  it('with control characters in product has them escaped on the terminal', async () => {
    const { code, out } = await validate(release({ product: 'edge\u001b[31m-gateway\u0007' }));
    expect(code).toBe(0);
    expect(out).toContain('edge\\u001b[31m-gateway\\u0007');
    expect(out).not.toContain('\u001b[31m');
    expect(printable('a\nb\u009bc')).toBe('a\\u000ab\\u009bc');
  });
});
