// Every port in one bag. Function factories take the `Pick<Ports, …>` they need; the AWS composition root and the
// embedded cloud each build a whole `Ports`.
import type { Clock } from './clock.ts';
import type { EventPublisher } from './events.ts';
import type { FirmwareSigner, FirmwareStore } from './firmware.ts';
import type { FleetJobs } from './fleet-jobs.ts';
import type { HealthSignals } from './health-signals.ts';
import type { Notifier } from './notifier.ts';
import type { ReleaseStore } from './release-store.ts';
import type { ReleaseWorkflow, WorkflowCallbacks } from './workflow.ts';

export interface Ports {
  jobs: FleetJobs;
  health: HealthSignals;
  firmware: FirmwareStore;
  signer: FirmwareSigner;
  store: ReleaseStore;
  callbacks: WorkflowCallbacks;
  workflow: ReleaseWorkflow;
  notifier: Notifier;
  events: EventPublisher;
  clock: Clock;
}
