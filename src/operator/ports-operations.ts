// ReleaseOperations on a whole set of ports: the use cases themselves. The live local cloud serves these through the
// control server (its clock simulated); the CLI uses them directly against AWS (real time).
import { abortRelease } from '#app/abort-release.ts';
import type { ReleaseClock } from '#app/describe-release.ts';
import { AnswerOutcome, answerApproval } from '#app/answer-approval.ts';
import { describeRelease } from '#app/describe-release.ts';
import type { Ports } from '#ports/index.ts';
import { type ReleaseOperations, summarise } from './operations.ts';

export interface PortsOperationsOptions {
  /** `simulated` for the embedded cloud: its releases' times after the start are simulated (ReleaseView.clock). */
  clock?: ReleaseClock;
  onClose?: () => Promise<void>;
}

export function portsOperations(ports: Ports, where: string, options: PortsOperationsOptions = {}): ReleaseOperations {
  const { clock } = options;
  return {
    where,
    listReleases: async () => (await ports.store.listReleases()).map((record) => summarise(record, clock)),
    describeRelease: async (releaseId) => ({ ...(await describeRelease(ports, releaseId)), ...(clock && { clock }) }),
    answerApproval: async (answer) => {
      const result = await answerApproval(ports, answer);
      const answered = result.outcome === AnswerOutcome.ANSWERED;
      // `approved` / `rejected` read better in --json than the use case's `answered`; refusals keep their names.
      return { outcome: answered ? (answer.answer === 'approve' ? 'approved' : 'rejected') : result.outcome, answered, message: result.message };
    },
    abortRelease: (input) => abortRelease(ports, input),
    close: options.onClose ?? (async () => {}),
  };
}
