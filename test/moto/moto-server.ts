// Starts moto's server (the `moto_server` of the Python package moto) on a free loopback port for one test file, and
// stops it afterwards. Where moto is not installed the suites skip, and say so loudly: an adapter that has only met
// mocks is not an adapter that has met an AWS-shaped server.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { ReleaseRequest } from '#domain/release-request.ts';

export interface Moto {
  endpoint: string;
  /** What every SDK client needs to talk to it. */
  clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  stop(): Promise<void>;
}

export const MOTO_PRESENT = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;

if (!MOTO_PRESENT) {
  console.warn('\n*** moto_server is not on PATH: the adapter tests against moto are SKIPPED (pip install "moto[server]" to run them) ***\n');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function ready(endpoint: string, child: ChildProcess): Promise<void> {
  // Polling, not timing: moto answers its own API once it listens. The deadline only bounds a broken start.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('moto_server did not answer within 60 s');
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await ready(endpoint, child);
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    endpoint,
    clientConfig: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `describe` where moto is present, `describe.skip` (after the warning above) where it is not. */
export const describeWithMoto: jest.Describe = MOTO_PRESENT ? describe : describe.skip;

/** Starts one moto server for the enclosing describe and stops it after; the getter reads it inside tests. */
export function useMoto(): () => Moto {
  let moto: Moto | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
  });
  return () => {
    if (!moto) throw new Error('moto is not running');
    return moto;
  };
}

/** A one-wave release the adapters can store, start and notify about: the same in every moto suite. */
export function motoRequest(): ReleaseRequest {
  return ReleaseRequest.parse({
    releaseId: 'moto-2-4-0',
    product: 'gateway',
    firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { file: 'image.bin' } },
    fleet: { thingGroups: ['fleet'] },
    stages: [{ name: 'all', targets: { percent: 100 }, bake: '1h' }],
  });
}

