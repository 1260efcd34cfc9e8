// The npm package: what `npm pack` ships, and that the shipped files run on their own (compiled JavaScript, no
// TypeScript sources, no tsx) from any directory.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type PackedCli, packInto } from '../../scripts/packed-cli.ts';

const run = promisify(execFile);
let dir: string;
let packed: PackedCli;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-package-'));
  packed = packInto(join(dir, 'pack'));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

const cli = (args: string[], cwd: string) => run(process.execPath, [packed.bin, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' } });

describe('npm pack', () => {
  it('ships the command, the compiled CLI and the workflow definition, nothing else', () => {
    const outside = packed.files.filter((file) => !/^(bin\/[\w-]+\.mjs|dist\/[\w-]+\.js|statemachines\/[\w-.]+\.json|README\.md|package\.json)$/.test(file));
    expect(outside).toEqual([]);
    expect(packed.files).toEqual(expect.arrayContaining(['bin/ota-release.mjs', 'dist/cli.js', 'statemachines/staged-release.asl.json', 'statemachines/event-rules.json']));
  });

  it('keeps within its size budget (bench/RESULTS.md, operations): 250 kB packed, 1 MB unpacked', () => {
    expect(packed.size).toBeLessThan(250_000);
    expect(packed.unpackedSize).toBeLessThan(1_000_000);
  });

  it('runs from another directory: help, the workflow diagram, and a whole simulated release', async () => {
    const work = join(dir, 'elsewhere');
    await cp('examples', work, { recursive: true });
    expect((await cli(['--help'], work)).stdout).toContain('Usage: ota-release [options] [command]');
    expect((await cli(['diagram'], work)).stdout).toMatch(/^stateDiagram-v2\n/);
    const simulated = await cli(['simulate', 'release.yaml', '--devices', '300', '--json', '-', '--quiet'], work);
    expect(JSON.parse(simulated.stdout)).toMatchObject({ outcome: 'PROMOTED' });
    // assess's worker threads start from dist/assess-worker.js, beside the compiled chunks.
    const assessed = await cli(['assess', 'release.yaml', '--devices', '300', '--runs', '2', '--scenarios', 'healthy,boot-fail-4x', '--workers', '2', '--json'], work);
    expect(JSON.parse(assessed.stdout)).toMatchObject({ interrupted: false, scenarios: [{ name: 'healthy', runs: 2 }, { name: 'boot-fail-4x', runs: 2 }] });
  }, 120_000);
});
