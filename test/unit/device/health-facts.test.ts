import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linuxFacts, parseCount } from '#device/health-facts.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-facts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('linuxFacts', () => {
  it('reads the boot id the kernel gives each boot', async () => {
    await writeFile(join(dir, 'boot_id'), '4f0e0a4e-6c3b-4bd4-9a59-2f4f6e7b1a11\n');
    expect(await linuxFacts({ bootIdFile: join(dir, 'boot_id') }).bootId()).toBe('4f0e0a4e-6c3b-4bd4-9a59-2f4f6e7b1a11');
  });

  it('reads a crash counter file, and a file not written yet as no crashes', async () => {
    const facts = linuxFacts({ crashCounter: { file: join(dir, 'crashes') } });
    expect(await facts.crashCount()).toBe(0);
    await writeFile(join(dir, 'crashes'), '12\n');
    expect(await facts.crashCount()).toBe(12);
  });

  it('runs a crash counter command (systemd NRestarts style)', async () => {
    expect(await linuxFacts({ crashCounter: { command: ['node', '-e', 'process.stdout.write("3\\n")'] } }).crashCount()).toBe(3);
  });

  it('has no crash count without a counter', async () => {
    expect(await linuxFacts().crashCount()).toBeUndefined();
  });

  it.each(['', 'three', '-1', '1.5', '12 crashes'])('refuses %j as a count', (text) => {
    expect(() => parseCount(text)).toThrow(/not a whole number/);
  });
});
