import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../../support/run-cli.ts';

const EXAMPLE = 'examples/release.yaml';

const run = runCli;

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ota-validate-')), name);
  writeFileSync(file, text);
  return file;
}

function releaseWith(source: string, rollbackSource?: string): string {
  return `releaseId: gw
product: p
firmware: { version: 2.4.0, previousVersion: 2.3.1, source: ${source}${rollbackSource ? `, rollbackSource: ${rollbackSource}` : ''} }
fleet: { thingGroups: [g] }
stages:
  - { name: all, targets: { percent: 100 }, bake: 2h }
`;
}

describe('ota-release validate', () => {
  it('prints the plan of the example release and exits 0', async () => {
    const { code, out, err } = await run('validate', EXAMPLE);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('Release gateway-2-4-0 · edge-gateway · 2.3.1 → 2.4.0');
    expect(out).toMatch(/│ 1\s+│ canary\s+│ 1 % of fleet\s+│ 100\s+│ 2h\s+│ auto\s+│ \{"maximumPerMinute":5\}/);
    expect(out).toContain('{"criteriaList":[{"failureType":"ALL","action":"CANCEL","thresholdPercentage":15,"minNumberOfExecutedThings":50}]}');
    expect(out).toContain('canary: with 100 devices and acceptable failure rate 5 %, unacceptable 10 %, at 90 % confidence (rollback line at 95 %: the install test\'s share beside the health gates), a defect that fails ≥ 15.1 % of devices is caught with probability ≥ 0.9 over every look');
    expect(out).toContain('  - at 4× the limit (20 %) it rolls back 99.3 % of the time (after 32 reports on average) and promotes < 0.1 %; a person decides the rest');
    expect(out).toContain('Health gates (what devices do after the update, against devices still on the previous version)');
    expect(out).toMatch(/crashes-rate: crashes per device-hour on the new version .* acceptable up to 1\.2×, unacceptable from 2\.5×/);
    // The real checksum of the committed image, because the file is there.
    expect(out).toContain('"checksum": "2e9be1cf5d2ea52515ca70dbde3870916e961ef762fd68cecc97c7dbe6888fd7"');
    expect(out).toContain('"authorisedRollback": true');
    expect(out).toContain('✓ gateway-2-4-0 is valid');
  });

  it('sizes percent stages for the fleet it is given and warns about a canary too small to tell', async () => {
    const { code, out } = await run('validate', EXAMPLE, '--fleet-size', '1000');
    expect(code).toBe(0);
    expect(out).toContain('1,000 devices');
    expect(out).toMatch(/⚠ stage canary \(10 devices\) is too small: even with no failures it cannot rule out the unacceptable 10 %/);
    expect(out).toContain('stage canary has 10 devices, fewer than the 50 executions');
  });

  it('prints the plan as JSON for scripts', async () => {
    const { code, out } = await run('validate', EXAMPLE, '--json');
    expect(code).toBe(0);
    const plan = JSON.parse(out);
    expect(plan.valid).toBe(true);
    expect(plan.stages.map((s: { cohort: number }) => s.cohort)).toEqual([100, 900, 4000, 5000]);
    expect(plan.stages[1].jobConfigs.jobExecutionsRolloutConfig.exponentialRate.incrementFactor).toBe(2);
    expect(plan.jobDocuments.release.document.firmwareSize).toBe(262144);
  });

  it('lists every problem of a malformed file with its path, the missing image too, and exits 2', async () => {
    const file = tempFile(
      'bad.yaml',
      `releaseId: gw
product: p
firmware: { version: 2.4.0, previousVersion: 2.3.1, source: { file: a.bin } }
fleet: { thingGroups: [g] }
stages:
  - { name: canary, targets: { percent: 1 }, bake: 2h }
  - { name: all, targets: { percent: 100 }, bake: 2 hours }
health: { maxFailureRate: lots, confidence: 2 }
`,
    );
    const { code, out, err } = await run('validate', file);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(
      `ota-release: ${file} has 4 problems:
  stages[1].bake: expected a duration like 30m, 2h or 1d, got "2 hours"
  health.maxFailureRate: expected a rate like 2% or 0.02, got "lots"
  health.confidence: must be less than 1, got 2
  firmware.source.file: no such file ${join(dirname(file), 'a.bin')}
`,
    );
  });

  it('reads JSON too, and reports its problems as JSON with --json', async () => {
    const file = tempFile('bad.json', JSON.stringify({ releaseId: 'gw', stages: [] }));
    const { code, out } = await run('validate', file, '--json');
    expect(code).toBe(2);
    const result = JSON.parse(out);
    expect(result.valid).toBe(false);
    expect(result.problems).toEqual(expect.arrayContaining(['product: required', 'firmware: required', 'stages: needs at least 1 item']));
  });

  it('refuses a release whose firmware images are missing, worded as start and simulate word it, and exits 2', async () => {
    const file = tempFile('release.yaml', releaseWith('{ file: missing.bin }', '{ file: old.bin }'));
    const dir = dirname(file);
    const { code, out, err } = await run('validate', file);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe(
      `ota-release: ${file} has 2 problems:
  firmware.source.file: no such file ${join(dir, 'missing.bin')}
  firmware.rollbackSource.file: no such file ${join(dir, 'old.bin')}
`,
    );
  });

  it('lists a missing rollback image as a problem in --json output too', async () => {
    const file = tempFile('release.yaml', releaseWith('{ file: new.bin }', '{ file: old.bin }'));
    writeFileSync(join(dirname(file), 'new.bin'), 'firmware bytes');
    const { code, out } = await run('validate', file, '--json');
    expect(code).toBe(2);
    expect(JSON.parse(out)).toEqual({ valid: false, file, problems: [`firmware.rollbackSource.file: no such file ${join(dirname(file), 'old.bin')}`] });
  });

  it('refuses a firmware path that is a directory', async () => {
    const file = tempFile('release.yaml', releaseWith('{ file: . }'));
    const { code, err } = await run('validate', file);
    expect(code).toBe(2);
    expect(err).toContain(`firmware.source.file: not a file ${dirname(file)}`);
  });

  it('passes an S3 image it cannot check offline, and says so in a note', async () => {
    const file = tempFile('release.yaml', releaseWith('{ s3: { bucket: fw-bucket, key: gw/2.4.0.bin } }'));
    const { code, out } = await run('validate', file);
    expect(code).toBe(0);
    expect(out).toContain('- s3://fw-bucket/gw/2.4.0.bin: not checked, because validate does not call AWS; the release reads the object when it signs the image, so its checksum and size are placeholders');
    expect(out).toContain('✓ gw is valid');
  });

  it('exits 2 for a file that does not exist', async () => {
    const { code, err } = await run('validate', 'nope/release.yaml');
    expect(code).toBe(2);
    expect(err).toBe('ota-release: nope/release.yaml has 1 problem:\n  cannot read the file: it does not exist\n');
  });

  it.each([
    ['a missing file argument', ['validate']],
    ['a bad fleet size', ['validate', EXAMPLE, '--fleet-size', 'many']],
    ['an unknown option', ['validate', EXAMPLE, '--fleet']],
  ])('exits 2 on %s', async (_name, args) => {
    const { code } = await run(...args);
    expect(code).toBe(2);
  });

  it('shows examples in its help', async () => {
    const { code, out } = await run('validate', '--help');
    expect(code).toBe(0);
    expect(out).toContain('$ ota-release validate examples/release.yaml');
  });
});
