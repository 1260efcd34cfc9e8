import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from '#cli/commands/start.ts';
import type { StartDeps } from '#cli/commands/start.ts';
import { readReleaseFile } from '#cli/target/release-file.ts';
import { startOnAws } from '#cli/target/start-aws.ts';
import { startLocally } from '#cli/target/start-local.ts';
import { TargetError } from '#cli/target/errors.ts';
import { InvalidReleaseError } from '#domain/errors.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { removeControlFile, writeControlFile } from '#local/control/control-file.ts';
import { type ControlServer, startControlServer } from '#operator/server.ts';
import { acquireReleaseLock } from '#local/release-lock.ts';
import { saveState } from '#local/state-dir.ts';
import type { FirmwareStore } from '#ports/firmware.ts';
import { Command } from 'commander';
import { FakeOperations } from '../operator/fake-operations.ts';
import { FakeWorkflow, record, request } from '../operator/support.ts';

const RELEASE_YAML = `
releaseId: fw-2-4-0
product: gateway
firmware: { version: 2.4.0, previousVersion: 2.3.1, source: { file: image.bin } }
fleet: { thingGroups: [gateways] }
stages:
  - { name: canary, targets: { percent: 1 }, bake: 2h, approval: manual }
  - { name: all, targets: { percent: 100 }, bake: 1h }
`;

async function releaseDir(withImage = true) {
  const dir = await mkdtemp(join(tmpdir(), 'ota-start-'));
  await writeFile(join(dir, 'release.yaml'), RELEASE_YAML);
  if (withImage) await writeFile(join(dir, 'image.bin'), 'firmware bytes');
  return dir;
}

describe('reading the release file for start', () => {
  it('makes firmware paths absolute against the release file', async () => {
    const dir = await releaseDir();
    const parsed = await readReleaseFile(join(dir, 'release.yaml'));
    expect(parsed.firmware.source).toEqual({ file: join(dir, 'image.bin') });
  });

  it('refuses a release whose image is missing, before anything starts', async () => {
    const dir = await releaseDir(false);
    const error = await readReleaseFile(join(dir, 'release.yaml')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidReleaseError);
    expect((error as InvalidReleaseError).problems).toEqual([`firmware.source.file: no such file ${join(dir, 'image.bin')}`]);
  });
});

describe('startOnAws', () => {
  const firmware = (): FirmwareStore & { puts: string[] } => {
    const puts: string[] = [];
    return {
      puts,
      put: async (source, releaseId, role) => {
        puts.push(`${role}:${'file' in source ? source.file : 's3'}`);
        return { location: { kind: 's3', bucket: 'fw-bucket', key: `firmware/${releaseId}/${role}/image.bin`, versionId: 'v1' }, sha256: 'ab', size: 14 };
      },
      documentUrl: () => '',
      putManifest: async () => {
        throw new Error('not used by start');
      },
    };
  };

  it('uploads a local image and starts the execution on the exact object version', async () => {
    const store = firmware();
    const workflow = new FakeWorkflow(null);
    let started: unknown;
    workflow.start = async (req: ReleaseRequest) => {
      started = req;
      return { executionId: 'arn:exec', alreadyStarted: false };
    };

    const result = await startOnAws({ firmware: store, workflow }, request());

    expect(result).toMatchObject({ started: true, executionId: 'arn:exec', uploaded: ['s3://fw-bucket/firmware/fw-2-4-0/release/image.bin?versionId=v1'] });
    expect(started).toMatchObject({ firmware: { source: { s3: { bucket: 'fw-bucket', key: 'firmware/fw-2-4-0/release/image.bin', versionId: 'v1' } } } });
  });

  it('changes nothing, not even an upload, when the release already has an execution', async () => {
    const store = firmware();
    const result = await startOnAws({ firmware: store, workflow: new FakeWorkflow('SUCCEEDED') }, request());
    expect(result).toMatchObject({ started: false, executionStatus: 'SUCCEEDED', message: 'fw-2-4-0 was already started (workflow SUCCEEDED); nothing changed' });
    expect(store.puts).toEqual([]);
  });
});

describe('startLocally', () => {
  let server: ControlServer | undefined;
  afterEach(async () => server?.close());

  const options = (stateDir: string) => ({ releaseFile: 'release.yaml', stateDir, approve: 'external' as const, devices: 500, timeoutMs: 5000 });
  const noWait = async () => {};

  it('launches simulate in the background and returns once the release is reachable', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'ota-state-'));
    const calls: string[][] = [];
    const spawner = async (args: string[]) => {
      calls.push(args);
      server = await startControlServer({ operations: new FakeOperations(), token: 'tok' });
      await writeControlFile(stateDir, { url: server.url, token: 'tok', pid: 4242, startedAt: 'now' });
      return { pid: 4242, exited: new Promise<number | null>(() => {}) };
    };
    // pid 4242 is not ours: make the control file count as live by pointing it at this process afterwards.
    const result = await startLocally(request(), options(stateDir), async (args) => {
      const child = await spawner(args);
      await writeControlFile(stateDir, { url: server!.url, token: 'tok', pid: process.pid, startedAt: 'now' });
      return { ...child, pid: process.pid };
    }, noWait);
    await removeControlFile(stateDir);

    expect(calls).toEqual([['simulate', 'release.yaml', '--keep', '--state-dir', stateDir, '--approve', 'external', '--devices', '500']]);
    expect(result).toMatchObject({ started: true, status: 'AWAITING_APPROVAL', pid: process.pid, log: join(stateDir, 'logs', 'fw-2-4-0.log') });
  });

  it('reports the outcome when the release ended before start looked (no one had to answer)', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'ota-state-'));
    const result = await startLocally(request(), options(stateDir), async () => {
      await saveState({ releases: [record({ status: 'PROMOTED' })], pendingTasks: [], decisions: [] }, stateDir);
      return { pid: 1, exited: Promise.resolve(0) };
    }, noWait);
    expect(result).toMatchObject({ started: true, status: 'PROMOTED' });
    expect(result.message).toContain('it ended PROMOTED');
  });

  it('points at the log when the background process dies first', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'ota-state-'));
    const error = await startLocally(request(), options(stateDir), async () => ({ pid: 1, exited: Promise.resolve(2) }), noWait).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetError);
    expect((error as Error).message).toBe(`the simulation of fw-2-4-0 stopped before it started (exit 2); see ${join(stateDir, 'logs', 'fw-2-4-0.log')}`);
  });

  it('says a release whose process was killed cannot be resumed, and how to end it', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'ota-state-'));
    await saveState({ releases: [record({ status: 'AWAITING_APPROVAL' })], pendingTasks: [], decisions: [] }, stateDir);
    const result = await startLocally(request(), options(stateDir), async () => ({ pid: 1, exited: Promise.resolve(0) }), noWait);
    expect(result).toMatchObject({ started: false, status: 'AWAITING_APPROVAL' });
    expect(result.message).toContain('was interrupted at AWAITING_APPROVAL');
    expect(result.message).toContain('ota-release abort fw-2-4-0');
  });

  it('says the release is already running when its own run is refused by the lock another start took', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'ota-state-'));
    const result = await startLocally(request(), options(stateDir), async () => {
      // The other start won the race: it holds the lock (this process stands in for it) and has saved the release.
      await acquireReleaseLock(stateDir, 'fw-2-4-0');
      await saveState({ releases: [record({ status: 'IN_PROGRESS' })], pendingTasks: [], decisions: [] }, stateDir);
      return { pid: 1, exited: Promise.resolve(2) };
    }, noWait);
    expect(result).toMatchObject({ started: false, status: 'IN_PROGRESS', message: 'fw-2-4-0 is already running in another process (IN_PROGRESS); nothing changed' });
  });

  it('starts nothing when the release is already in the state directory', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'ota-state-'));
    await saveState({ releases: [record({ status: 'ROLLED_BACK' })], pendingTasks: [], decisions: [] }, stateDir);
    const spawned: string[][] = [];
    const result = await startLocally(request(), options(stateDir), async (args) => {
      spawned.push(args);
      return { pid: 1, exited: Promise.resolve(0) };
    }, noWait);
    expect(result).toMatchObject({ started: false, status: 'ROLLED_BACK', message: 'fw-2-4-0 was already started (ROLLED_BACK); nothing changed' });
    expect(spawned).toEqual([]);
  });
});

describe('ota-release start', () => {
  async function run(args: string[], deps: Partial<StartDeps> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const calls: unknown[] = [];
    const full: StartDeps = {
      io: { out: (t) => out.push(t), err: (t) => err.push(t), terminal: { columns: 120, color: false }, env: {} },
      startLocal: async (file, o) => {
        calls.push(['local', file, o.stateDir, o.approve]);
        return { releaseId: 'fw-2-4-0', started: true, message: 'started fw-2-4-0' };
      },
      startAws: async (file, target) => {
        calls.push(['aws', file, target]);
        return { releaseId: 'fw-2-4-0', started: false, uploaded: [], message: 'fw-2-4-0 was already started (workflow RUNNING); nothing changed' };
      },
      ...deps,
    };
    const program = new Command('ota-release').exitOverride().configureOutput({ writeOut: (t) => out.push(t), writeErr: (t) => err.push(t) });
    let code = 0;
    register(program, (c) => (code = c), full);
    await program.parseAsync(['node', 'ota-release', ...args]).catch(() => (code = 2));
    return { code, out: out.join(''), err: err.join(''), calls };
  }

  it('starts in the embedded cloud by default and says how to follow', async () => {
    const result = await run(['start', 'release.yaml', '--state-dir', '/tmp/ota-x']);
    expect(result.calls).toEqual([['local', 'release.yaml', '/tmp/ota-x', 'external']]);
    expect(result.out).toContain('ota-release status fw-2-4-0 --state-dir /tmp/ota-x --watch');
  });

  it('starts in AWS with --stage, and a second start exits 0', async () => {
    const result = await run(['start', 'release.yaml', '--stage', 'prod', '--region', 'eu-west-1']);
    expect(result.calls).toEqual([['aws', 'release.yaml', { kind: 'aws', stage: 'prod', region: 'eu-west-1', stackName: 'ota-release-prod' }]]);
    expect(result).toMatchObject({ code: 0, out: 'fw-2-4-0 was already started (workflow RUNNING); nothing changed\n' });
  });

  it('lists every problem of a bad release file, exit 2, nothing started', async () => {
    const result = await run(['start', 'bad.yaml', '--json'], {
      startLocal: async () => {
        throw new InvalidReleaseError(['stages[0].bake: expected a duration', 'fleet: required']);
      },
    });
    expect(result.code).toBe(2);
    expect(result.err).toContain('stages[0].bake: expected a duration');
    expect(JSON.parse(result.out)).toMatchObject({ exitCode: 2 });
  });

  it.each([['--devices', '0'], ['--approve', 'maybe'], ['--seed', 'x']])('refuses %s %s', async (flag, value) => {
    const result = await run(['start', 'release.yaml', flag, value]);
    expect(result.code).toBe(2);
    expect(result.calls).toEqual([]);
  });
});
