import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readControlFile } from '#local/control/control-file.ts';
import { httpOperations } from '#operator/client.ts';
import { serveLiveControl } from '#local/control/live.ts';
import type { Ports } from '#ports/index.ts';
import { approvalTask, record, seededStore } from '../../operator/support.ts';

describe('serveLiveControl', () => {
  it('announces the live release in the state directory while it serves, and withdraws it after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-live-'));
    const ports = { store: seededStore([record()], [approvalTask()]) } as Partial<Ports> as Ports;

    const live = await serveLiveControl({ ports, stateDir: dir });
    const info = await readControlFile(dir);
    const releases = await httpOperations(info!, 'live').listReleases();
    const view = await httpOperations(info!, 'live').describeRelease('fw-2-4-0');
    await live.close();

    expect(info).toMatchObject({ url: live.url, token: live.token, pid: process.pid });
    expect(releases.map((r) => [r.releaseId, r.clock])).toEqual([['fw-2-4-0', 'simulated']]);
    expect(view.clock).toBe('simulated');
    expect(await readControlFile(dir)).toBeUndefined();
  });
});
