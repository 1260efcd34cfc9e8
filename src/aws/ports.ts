// A whole Ports bag on AWS, configured from the environment (the stack's outputs exported as the variables in
// config.ts). The CLI uses this; each Lambda function builds only the adapters it needs, to keep its bundle small.
import { systemClock } from '#ports/clock.ts';
import type { Ports } from '#ports/index.ts';
import { type Instrument, noInstrument } from './config.ts';
import { awsHealthSignals } from './cloudwatch-health-signals.ts';
import { awsEventPublisher } from './eventbridge-publisher.ts';
import { awsFleetJobs } from './iot-fleet-jobs.ts';
import { awsReleaseStore } from './dynamo-release-store.ts';
import { awsFirmwareStore } from './s3-firmware-store.ts';
import { awsCallbacks, awsWorkflow } from './sfn-workflow.ts';
import { awsSigner } from './signer.ts';
import { awsNotifier } from './sns-notifier.ts';

export function awsPorts(instrument: Instrument = noInstrument): Ports {
  return {
    jobs: awsFleetJobs(instrument),
    health: awsHealthSignals(instrument),
    firmware: awsFirmwareStore(instrument),
    signer: awsSigner(instrument),
    store: awsReleaseStore(instrument),
    callbacks: awsCallbacks(instrument),
    workflow: awsWorkflow(instrument),
    notifier: awsNotifier(instrument),
    events: awsEventPublisher(instrument),
    clock: systemClock,
  };
}
