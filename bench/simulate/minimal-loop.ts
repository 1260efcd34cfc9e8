// The yardstick for the simulator: a minimal discrete-event loop doing the per-device work of a healthy release over
// typed arrays — devices notified at IoT Jobs' top rollout rate (1,000 a minute, so as many are in flight as in a real
// rollout), then pickup, download, verify, install, reboot and self-test as six timed events with the same seeded
// draws and durations as the simulated fleet's healthy profile — and nothing else (no IoT Jobs engine, no stages,
// no workflow, no handlers). What the full simulate costs above this is the price of the real workflow and IoT semantics.
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { between, exponential, uniform } from '#local/fleet/random.ts';
import { EventHeap } from '#local/time/event-heap.ts';

const STEPS = 6;
/** IoT Jobs' highest maximumPerMinute: one notification every 60 ms. */
const NOTIFY_EVERY_MS = 60;

/** Runs the loop for `devices` devices; returns the events it ran (6 per device) and the virtual end time in seconds. */
export function minimalLoop(devices: number, seed: number): { events: number; endSeconds: number; succeeded: number } {
  const p = faultProfile('healthy');
  const ranges = [p.downloadSeconds, [1, 3] as [number, number], p.applySeconds, p.rebootSeconds, p.selfTestSeconds];
  const step = new Uint8Array(devices);
  const heap = new EventHeap(4096);
  let notified = 0;
  let events = 0;
  let now = 0;
  let succeeded = 0;
  while (heap.size > 0 || notified < devices) {
    // The next notification comes before the next device event: the device's pickup joins the heap.
    if (notified < devices && notified * NOTIFY_EVERY_MS <= heap.peekTime()) {
      const device = notified++;
      heap.push(device * NOTIFY_EVERY_MS + exponential(uniform(seed, device, 0, 0, 0), p.pickupMeanSeconds) * 1000, device);
      continue;
    }
    now = heap.peekTime();
    const device = heap.pop();
    events++;
    const at = ++step[device]!;
    if (at === STEPS) {
      succeeded++;
      continue;
    }
    const [min, max] = ranges[at - 1]!;
    heap.push(now + between(uniform(seed, device, 0, 0, at), min, max) * 1000, device);
  }
  return { events, endSeconds: now / 1000, succeeded };
}
