import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentConfig } from '#device/config.ts';
import { AgentConfigError } from '#device/errors.ts';

function configDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ota-agent-config-'));
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'signing.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  return dir;
}

const VALID = {
  thingName: 'gateway-0001',
  broker: { kind: 'mqtt', url: 'mqtt://127.0.0.1:1883' },
  stateDir: 'state',
  publicKeyFile: 'signing.pub.pem',
  factoryVersion: '2.3.0',
};

async function problemsOf(config: unknown): Promise<string[]> {
  const dir = configDir();
  writeFileSync(join(dir, 'agent.json'), JSON.stringify(config));
  const error = await loadAgentConfig(join(dir, 'agent.json')).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AgentConfigError);
  return (error as AgentConfigError).problems;
}

describe('loadAgentConfig', () => {
  it('loads a valid configuration with its paths resolved against the file', async () => {
    const dir = configDir();
    writeFileSync(join(dir, 'agent.json'), JSON.stringify(VALID));
    const loaded = await loadAgentConfig(join(dir, 'agent.json'));
    expect(loaded.stateDir).toBe(join(dir, 'state'));
    expect(loaded.config.thingName).toBe('gateway-0001');
  });

  it.each([
    ['a number where a string belongs', { thingName: 5 }, 'thingName: expected a string, got 5 (put it in quotes)'],
    ['a missing field', { thingName: undefined }, 'thingName: required'],
    ['a value of the wrong type deeper down', { download: { minBytesPerSecond: 'fast' } }, 'download.minBytesPerSecond: expected a number, got "fast"'],
    ['an unknown field', { thingname: 'x' }, 'thingname: unknown field'],
  ])('says what is wrong with %s, as the release file does', async (_name, change, problem) => {
    expect(await problemsOf({ ...VALID, ...change })).toEqual([problem]);
  });

  it('lists every problem at once', async () => {
    expect(await problemsOf({ ...VALID, thingName: 5, factoryVersion: '' })).toEqual([
      'thingName: expected a string, got 5 (put it in quotes)',
      'factoryVersion: must not be empty, got ""',
    ]);
  });
});

describe('loadAgentConfig with endless or huge files', () => {
  it('refuses a key file that never ends (/dev/zero) instead of reading it into memory', async () => {
    expect(await problemsOf({ ...VALID, publicKeyFile: '/dev/zero' })).toEqual(['publicKeyFile: cannot read /dev/zero (larger than 1048576 bytes)']);
  });

  it('reads the download bounds in seconds and fills in defaults', async () => {
    const dir = configDir();
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ ...VALID, download: { headerTimeout: '10s', deadline: '2h' } }));
    const { config } = await loadAgentConfig(join(dir, 'agent.json'));
    expect(config.download).toMatchObject({ headerTimeout: 10, deadline: 7200, attemptDeadline: 3600, maxInformationalResponses: 10, maxAttemptsWithoutProgress: 8 });
  });
});

describe('the health block', () => {
  it('defaults to reporting when a release asks, every 5 minutes, with a 30-minute warm-up', async () => {
    const dir = configDir();
    writeFileSync(join(dir, 'agent.json'), JSON.stringify(VALID));
    const { config } = await loadAgentConfig(join(dir, 'agent.json'));
    expect(config.health).toEqual({ report: 'when-asked', reportEvery: 300, warmUp: 1800 });
  });

  it('takes a product, a mode, durations and a crash counter file resolved against the configuration', async () => {
    const dir = configDir();
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ ...VALID, product: 'gateway', health: { report: 'always', reportEvery: '1m', warmUp: '10m', crashCounterFile: 'crashes' } }));
    const { config } = await loadAgentConfig(join(dir, 'agent.json'));
    expect(config.product).toBe('gateway');
    expect(config.health).toEqual({ report: 'always', reportEvery: 60, warmUp: 600, crashCounterFile: join(dir, 'crashes') });
  });

  it('refuses a period under 10 seconds and an unknown mode', async () => {
    expect(await problemsOf({ ...VALID, health: { report: 'sometimes', reportEvery: '1s' } })).toEqual([expect.stringMatching(/^health\.report: /), expect.stringMatching(/^health\.reportEvery: /)]);
  });

  it('refuses two crash counters', async () => {
    expect(await problemsOf({ ...VALID, health: { crashCounterFile: 'a', crashCounterCommand: ['b'] } })).toEqual([expect.stringMatching(/crashCounterFile or crashCounterCommand, not both/)]);
  });
});
