// A worker lane whose worker goes wrong fails the run it was given instead of leaving it waiting. The workers here are
// tiny modules in data: URLs standing in for assess-worker.ts; the real one runs in test/integration/assess.test.ts.
import type { AssessSetup } from '#local/assess/worker-pool.ts';
import { workerLane } from '#local/assess/worker-pool.ts';

const setup = { request: {}, devices: 1, baseDir: '/', scenarios: [] } as unknown as AssessSetup;
const job = { scenario: 'healthy', run: 0, seed: 1 };
const worker = (source: string) => new URL(`data:text/javascript,${encodeURIComponent(source)}`);

describe('workerLane', () => {
  it('fails the run with the error that stopped the worker loading', async () => {
    const lane = workerLane(setup, worker(`throw new Error('cannot load the worker')`));
    await expect(lane.run(job)).rejects.toThrow('cannot load the worker');
    await expect(lane.run(job)).rejects.toThrow('cannot load the worker');
    await lane.close();
  });

  it('fails the run when the worker exits during it', async () => {
    const lane = workerLane(setup, worker(`import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(3));`));
    await expect(lane.run(job)).rejects.toThrow('the worker thread ended (exit code 3)');
    await lane.close();
  });

  it('returns the result the worker sends, and fails with the error it reports, name and message kept', async () => {
    const lane = workerLane(
      setup,
      worker(`import { parentPort } from 'node:worker_threads';
        parentPort.on('message', (job) => parentPort.postMessage(job.seed === 1
          ? { kind: 'result', result: { outcome: 'PROMOTED', status: 'PROMOTED', exposed: 7, virtualSeconds: 60 } }
          : { kind: 'failed', error: { name: 'StalledError', message: 'virtual time cannot move' } }));`),
    );
    await expect(lane.run(job)).resolves.toEqual({ outcome: 'PROMOTED', status: 'PROMOTED', exposed: 7, virtualSeconds: 60 });
    await expect(lane.run({ ...job, seed: 2 })).rejects.toMatchObject({ name: 'StalledError', message: 'virtual time cannot move' });
    await lane.close();
  });

  it('drops the run going when closed', async () => {
    const lane = workerLane(setup, worker(`import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => {});`));
    const running = lane.run(job);
    await lane.close();
    await expect(running).rejects.toThrow(/the worker thread ended/);
  });
});
