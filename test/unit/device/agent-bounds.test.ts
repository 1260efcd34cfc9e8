// The agent under a hostile firmware server: it gives up within its configured bounds, says why, and takes the next job.
import { Harness, THING } from './agent-harness.ts';
import { HostileServer, silent } from './hostile-server.ts';

let harness: Harness;
let hostile: HostileServer;
beforeEach(async () => {
  harness = await Harness.create();
  hostile = await HostileServer.start(silent);
});
afterEach(async () => {
  await harness.close();
  await hostile.close();
});

const BOUNDED = { minBytesPerSecond: 1, stallWindowMs: 60_000, maxAttemptsWithoutProgress: 2, headerTimeoutMs: 100, retryDelayMs: () => 0 };

describe('DeviceAgent against a server that never answers', () => {
  it('fails the job with the bound that ended it, then installs the next job', async () => {
    const stuck = harness.image('2.0.0', 50_000, 1);
    const next = harness.image('2.0.1', 50_000, 2);
    harness.cloud.addJob(THING, 'job-1', () => harness.document({ ...stuck, url: hostile.url }));
    harness.cloud.addJob(THING, 'job-2', () => harness.document(next));

    await harness.boot({ download: BOUNDED });
    await harness.settle();

    expect(harness.cloud.finalStatuses(THING)).toEqual([
      expect.objectContaining({ jobId: 'job-1', status: 'FAILED', statusDetails: expect.objectContaining({ reason: 'HEADER_TIMEOUT', runningVersion: '1.0.0' }) }),
      expect.objectContaining({ jobId: 'job-2', status: 'SUCCEEDED', statusDetails: expect.objectContaining({ runningVersion: '2.0.1' }) }),
    ]);
    expect(harness.cloud.finalStatuses(THING)[0]?.statusDetails?.detail).toMatch(/gave up after 3 attempts that brought no byte past 0: no response headers within 0.1s/);
    expect(hostile.requests).toHaveLength(3);
  });

  it('refuses an image larger than its own ceiling before fetching a byte', async () => {
    await harness.boot({ download: { ...BOUNDED, maxImageBytes: 49_999 } });

    await harness.offer('job-1', harness.document(harness.image('2.0.0', 50_000)));

    expect(harness.cloud.finalStatuses(THING)).toEqual([expect.objectContaining({ status: 'REJECTED', statusDetails: expect.objectContaining({ reason: 'TOO_LARGE' }) })]);
    expect(harness.server.requests).toHaveLength(0);
  });
});
