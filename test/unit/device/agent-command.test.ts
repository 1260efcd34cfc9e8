// `ota-release agent` in process: bad configuration exits 2 with every problem; --once takes a pending job and exits.
import { jest } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '#cli/main.ts';
import { JobsMqttBridge } from '#local/mqtt/jobs-bridge.ts';
import { ThingCredentials } from '#local/mqtt/thing-credentials.ts';
import { Harness } from './agent-harness.ts';
import { HostileServer, silent } from './hostile-server.ts';

let dir: string;
let stderr: string;
let stdout: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ota-agent-cli-'));
  stderr = '';
  stdout = '';
  jest.spyOn(process.stderr, 'write').mockImplementation((text) => ((stderr += String(text)), true));
  jest.spyOn(process.stdout, 'write').mockImplementation((text) => ((stdout += String(text)), true));
});
afterEach(async () => {
  jest.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('ota-release agent', () => {
  it('exits 2 and lists every problem with its path for a bad configuration', async () => {
    const file = join(dir, 'agent.json');
    await writeFile(file, JSON.stringify({ thingName: 'bad name!', broker: { kind: 'mqtt', url: 'http://x' }, stateDir: 'state', factoryVersion: '1.0.0', download: { stallWindow: 'soon' } }));

    const code = await main(['node', 'ota-release', 'agent', '--config', file]);

    expect(code).toBe(2);
    expect(stderr).toMatch(/thingName: letters, digits/);
    expect(stderr).toMatch(/broker.url: expected mqtt:\/\/host:port/);
    expect(stderr).toMatch(/publicKeyFile/);
    expect(stderr).toMatch(/download.stallWindow: expected a duration/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 when the pinned key is not a P-256 public key', async () => {
    const file = join(dir, 'agent.json');
    await writeFile(join(dir, 'key.pem'), 'not a key');
    await writeFile(file, JSON.stringify({ thingName: 'gw-1', broker: { kind: 'mqtt', url: 'mqtt://127.0.0.1:1' }, stateDir: 'state', publicKeyFile: 'key.pem', factoryVersion: '1.0.0' }));

    expect(await main(['node', 'ota-release', 'agent', '--config', file])).toBe(2);
    expect(stderr).toMatch(/publicKeyFile: not a PEM public key/);
  });

  it('takes the pending job over MQTT with --once and exits 0', async () => {
    const harness = await Harness.create();
    const credentials = ThingCredentials.generate();
    const bridge = await JobsMqttBridge.start({ dataPlane: harness.cloud, credentials });
    try {
      await writeFile(join(dir, 'key.pem'), harness.keys.publicKeyPem);
      const passwordFile = await credentials.writeSecret(dir, 'gw-1');
      const file = join(dir, 'agent.json');
      await writeFile(file, JSON.stringify({ thingName: 'gw-1', broker: { kind: 'mqtt', url: bridge.url, passwordFile }, stateDir: 'state', publicKeyFile: 'key.pem', factoryVersion: '1.0.0' }));
      const image = harness.image('2.0.0');
      harness.cloud.addJob('gw-1', 'job-1', () => harness.document(image));

      const code = await main(['node', 'ota-release', 'agent', '--config', file, '--once', '--json']);

      expect(code).toBe(0);
      expect(harness.cloud.finalStatuses('gw-1')).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
      const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.map((line) => line.message)).toEqual(expect.arrayContaining(['START', 'DONE', 'job finished', 'agent running']));
    } finally {
      await bridge.close();
      await harness.close();
    }
  });

  it('keeps retrying a broker that refuses the connection, logging each retry, until it is stopped', async () => {
    const harness = await Harness.create();
    try {
      await writeFile(join(dir, 'key.pem'), harness.keys.publicKeyPem);
      const file = join(dir, 'agent.json');
      const config = { thingName: 'gw-1', broker: { kind: 'mqtt', url: 'mqtt://127.0.0.1:1' }, stateDir: 'state', publicKeyFile: 'key.pem', factoryVersion: '1.0.0', reconnect: { minDelay: 1, maxDelay: 1 } };
      await writeFile(file, JSON.stringify(config));

      const running = main(['node', 'ota-release', 'agent', '--config', file, '--json']);
      for (let i = 0; i < 500 && !stdout.includes('broker unreachable'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      process.emit('SIGINT');

      expect(await running).toBe(0);
      const messages = stdout.trim().split('\n').map((line) => (JSON.parse(line) as { message: string; error?: string }));
      expect(messages[0]).toMatchObject({ message: 'broker unreachable, retrying', error: expect.stringMatching(/ECONNREFUSED/) });
      expect(messages.at(-1)?.message).toBe('agent stopped before connecting');
    } finally {
      await harness.close();
    }
  });

  it('logs each download retry with its reason and fails the job when the server never answers', async () => {
    const harness = await Harness.create();
    const credentials = ThingCredentials.generate();
    const bridge = await JobsMqttBridge.start({ dataPlane: harness.cloud, credentials });
    const hostile = await HostileServer.start(silent);
    try {
      await writeFile(join(dir, 'key.pem'), harness.keys.publicKeyPem);
      const passwordFile = await credentials.writeSecret(dir, 'gw-1');
      const file = join(dir, 'agent.json');
      const download = { headerTimeout: 1, maxAttemptsWithoutProgress: 1 };
      await writeFile(file, JSON.stringify({ thingName: 'gw-1', broker: { kind: 'mqtt', url: bridge.url, passwordFile }, stateDir: 'state', publicKeyFile: 'key.pem', factoryVersion: '1.0.0', download }));
      const image = harness.image('2.0.0');
      harness.cloud.addJob('gw-1', 'job-1', () => harness.document({ ...image, url: hostile.url }));

      const code = await main(['node', 'ota-release', 'agent', '--config', file, '--once', '--json']);

      expect(code).toBe(0);
      const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.filter((line) => line.message === 'download retry')).toEqual([expect.objectContaining({ reason: 'HEADER_TIMEOUT', failures: 1 })]);
      expect(lines.find((line) => line.message === 'job finished')).toMatchObject({ status: 'FAILED', reason: 'HEADER_TIMEOUT' });
    } finally {
      await hostile.close();
      await bridge.close();
      await harness.close();
    }
  });
});
