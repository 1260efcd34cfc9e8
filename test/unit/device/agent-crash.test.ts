// Power cuts at every step of an install: the agent object is discarded mid-step and a new one starts over the same
// state directory. Whatever the step, the device boots a verified slot and reports what it really runs.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SimulatedCrash } from '#device/errors.ts';
import { SlotState } from '#device/slots.ts';
import { Harness, THING } from './agent-harness.ts';

const STEPS = ['erase', 'download', 'download-checkpoint', 'verify', 'mark-ready', 'set-boot-marker', 'reboot', 'self-test', 'commit', 'report'] as const;

let harness: Harness;
beforeEach(async () => {
  harness = await Harness.create();
});
afterEach(async () => {
  await harness.close();
});

function crashAt(step: string, times = 1) {
  let left = times;
  return (name: string) => {
    if (name === step && left-- > 0) throw new SimulatedCrash(name);
  };
}

async function expectVerifiedSlotRunning(h: Harness): Promise<void> {
  const running = h.slots.running;
  const record = await h.slots.read(running.slot);
  expect(record.state).toBe(SlotState.READY);
  if (record.sha256) {
    const bytes = await readFile(h.slots.imagePath(running.slot));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(record.sha256);
  }
}

describe('DeviceAgent after a power cut', () => {
  // A cut between the trial boot and the commit means the new image never confirmed: with one trial boot the
  // bootloader goes back, and the agent says so. Every other cut ends in the install finishing.
  it.each(STEPS.map((step) => [step, step === 'self-test' || step === 'commit' ? 'FAILED' : 'SUCCEEDED'] as const))(
    'reports the truth once when power is cut at %s (%s)',
    async (step, status) => {
      await harness.boot({ onStep: crashAt(step) });
      const image = harness.image('2.0.0', 120_000);
      await expect(harness.offer('job-1', harness.document(image))).rejects.toBeInstanceOf(SimulatedCrash);

      await harness.boot();

      const finals = harness.cloud.finalStatuses(THING);
      expect(finals).toEqual([expect.objectContaining({ jobId: 'job-1', status })]);
      expect(finals[0]?.statusDetails?.runningVersion).toBe(harness.agent?.runningVersion);
      expect(harness.agent?.runningVersion).toBe(status === 'SUCCEEDED' ? '2.0.0' : '1.0.0');
      await expectVerifiedSlotRunning(harness);
    },
  );

  it.each(STEPS)('boots a verified slot straight after a cut at %s', async (step) => {
    await harness.boot({ onStep: crashAt(step) });
    await expect(harness.offer('job-1', harness.document(harness.image('2.0.0', 120_000)))).rejects.toBeInstanceOf(SimulatedCrash);

    await harness.slots.boot();

    await expectVerifiedSlotRunning(harness);
  });

  it('resumes the download from its last checkpoint instead of starting over', async () => {
    await harness.boot({ onStep: crashAt('download-checkpoint', 3) });
    const image = harness.image('2.0.0', 120_000);
    await expect(harness.offer('job-1', harness.document(image))).rejects.toBeInstanceOf(SimulatedCrash);

    await harness.boot();

    expect(harness.server.requests.map((request) => request.rangeStart ?? 0)[1]).toBeGreaterThan(0);
    expect(harness.cloud.finalStatuses(THING)).toEqual([expect.objectContaining({ status: 'SUCCEEDED' })]);
  });

  it('rolls back and reports FAILED with the running version when the new image never confirms', async () => {
    await harness.boot({ onStep: crashAt('self-test') });
    await expect(harness.offer('job-1', harness.document(harness.image('2.0.0')))).rejects.toBeInstanceOf(SimulatedCrash);

    await harness.boot(); // the trial's one boot is used up: the bootloader goes back to slot a

    expect(harness.cloud.finalStatuses(THING)).toEqual([
      expect.objectContaining({ status: 'FAILED', statusDetails: expect.objectContaining({ reason: 'ROLLED_BACK', runningVersion: '1.0.0' }) }),
    ]);
    expect(harness.slots.running).toMatchObject({ slot: 'a', version: '1.0.0', trial: false });
  });

  it('reports the outcome it decided before the cut, not a new one', async () => {
    await harness.boot({ onStep: crashAt('report'), hooks: { selfTest: async () => ({ ok: false, detail: 'watchdog' }) } });
    await expect(harness.offer('job-1', harness.document(harness.image('2.0.0')))).rejects.toBeInstanceOf(SimulatedCrash);

    await harness.boot();

    expect(harness.cloud.finalStatuses(THING)).toEqual([
      expect.objectContaining({ status: 'FAILED', statusDetails: expect.objectContaining({ reason: 'SELF_TEST_FAILED', runningVersion: '1.0.0' }) }),
    ]);
  });
});
