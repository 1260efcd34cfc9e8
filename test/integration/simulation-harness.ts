// Runs a release from test/fixtures/releases on the embedded cloud: the real ASL, the real handlers, a simulated fleet.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseReleaseFile } from '#domain/release-file.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import type { AnswerInput, ApproveMode } from '#local/approvals.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { createLocalCloud, type LocalCloud } from '#local/local-cloud.ts';
import type { ReleaseReport } from '#local/report.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/releases/', import.meta.url));

export async function loadRelease(name = 'small-fleet.yaml', change: (request: ReleaseRequest) => ReleaseRequest = (r) => r): Promise<ReleaseRequest> {
  return change(parseReleaseFile(await readFile(`${FIXTURES}${name}`, 'utf8'), name));
}

export interface SimulationOptions {
  devices?: number;
  profile?: string;
  failRate?: number;
  seed?: number;
  approve?: ApproveMode;
  answer?: (input: AnswerInput) => Promise<void>;
  delivery?: { duplicateRate: number; maxDelaySeconds: number };
}

export async function simulate(request: ReleaseRequest, options: SimulationOptions = {}): Promise<{ report: ReleaseReport; cloud: LocalCloud }> {
  const profile = faultProfile(options.profile ?? 'healthy', options.failRate === undefined ? {} : { failRate: options.failRate });
  const cloud = await createLocalCloud({
    fleet: new SimulatedFleet({ devices: options.devices ?? 1000, profile, seed: options.seed ?? 1 }),
    baseDir: FIXTURES,
    seed: options.seed ?? 1,
    approve: options.approve ?? 'auto',
    delivery: options.delivery ?? { duplicateRate: profile.eventDuplicateRate, maxDelaySeconds: profile.eventDelaySeconds },
    ...(options.answer ? { answer: options.answer } : {}),
  });
  const report = await cloud.runRelease(request);
  await cloud.close();
  return { report, cloud };
}

/** The verdicts the judge gave, in order, as `stage:VERDICT`. */
export function verdicts(report: ReleaseReport): string[] {
  return report.decisions.flatMap((d) => (d.kind === 'verdict' ? [`${d.stageName}:${d.judgement.verdict}`] : []));
}
