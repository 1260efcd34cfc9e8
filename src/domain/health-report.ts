// The device's health report: what an agent publishes after (and between) updates so the release can be judged on
// what devices do once they run the new version, not only on whether the install succeeded. One schema for the real
// agent, the simulated fleet and the cloud side that aggregates reports (an IoT topic rule into CloudWatch metrics on
// AWS, the embedded metrics store locally). Counters are deltas since the previous report so the cloud can sum them
// without remembering devices; the `…SinceUpdate` counters are for people reading one device's reports.
import { z } from 'zod';

/** Devices publish on `ota-release/health/<thingName>`; the thing name is the topic's, never the payload's. */
export const HEALTH_TOPIC_PREFIX = 'ota-release/health';
export const healthTopic = (thingName: string): string => `${HEALTH_TOPIC_PREFIX}/${thingName}`;

/** The report period when the job document does not say. */
export const DEFAULT_REPORT_EVERY_SECONDS = 300;

const Version = z.string().min(1).max(64).regex(/^[0-9A-Za-z.+_-]+$/);
const Count = z.number().int().min(0).max(1_000_000);

/**
 * `warm-up`: the first minutes after an update, when a reboot or two is expected and says nothing of the image;
 * `steady`: every other report. Only steady reports count towards the rate gates.
 */
export const HealthPhase = z.enum(['warm-up', 'steady']);
export type HealthPhase = z.infer<typeof HealthPhase>;

export const HealthReport = z.strictObject({
  product: z.string().min(1).max(128),
  /** The version the device runs now. */
  version: Version,
  /** The boot slot it runs from, when it has two (`a`/`b`). */
  slot: z.string().min(1).max(16).optional(),
  /** The release whose update the device last applied, when it applied one. */
  releaseId: z.string().min(1).max(64).optional(),
  phase: HealthPhase,
  /** Seconds of running this report covers (since the previous report, or since boot): the exposure it adds. */
  periodSeconds: z.number().min(0).max(86_400),
  uptimeSeconds: z.number().min(0),
  /** Application crashes since the previous report. */
  crashes: Count,
  /** Reboots since the previous report (watchdog, panic or commanded). */
  reboots: Count,
  crashesSinceUpdate: Count.optional(),
  rebootsSinceUpdate: Count.optional(),
  /** Set on the first report after the device booted a new version: it came back. Sent once per update. */
  firstSinceUpdate: z.boolean().optional(),
  /**
   * The version the device reported SUCCEEDED for and no longer runs (its bootloader went back to the other slot
   * later: a silent rollback). Sent once per such revert.
   */
  revertedFrom: Version.optional(),
  /** Increases by one per report, so duplicates (QoS 1 redelivery) can be told apart. */
  sequence: z.number().int().min(0),
});
export type HealthReport = z.infer<typeof HealthReport>;

/** What the job document tells the agent about health reporting. */
export const HealthReporting = z.strictObject({
  reportEverySeconds: z.number().int().min(10).max(86_400),
  warmUpSeconds: z.number().int().min(0).max(7 * 86_400),
});
export type HealthReporting = z.infer<typeof HealthReporting>;
