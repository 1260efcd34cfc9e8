// ReleaseOperations on a whole set of ports: the use cases themselves. The live local cloud serves these through the
// control server; the CLI uses them directly against AWS.
import { abortRelease } from '#app/abort-release.ts';
import { AnswerOutcome, answerApproval } from '#app/answer-approval.ts';
import { describeRelease } from '#app/describe-release.ts';
import type { Ports } from '#ports/index.ts';
import { type ReleaseOperations, summarise } from './operations.ts';

export function portsOperations(ports: Ports, where: string, onClose: () => Promise<void> = async () => {}): ReleaseOperations {
  return {
    where,
    listReleases: async () => (await ports.store.listReleases()).map(summarise),
    describeRelease: (releaseId) => describeRelease(ports, releaseId),
    answerApproval: async (answer) => {
      const result = await answerApproval(ports, answer);
      const answered = result.outcome === AnswerOutcome.ANSWERED;
      // `approved` / `rejected` read better in --json than the use case's `answered`; refusals keep their names.
      return { outcome: answered ? (answer.answer === 'approve' ? 'approved' : 'rejected') : result.outcome, answered, message: result.message };
    },
    abortRelease: (input) => abortRelease(ports, input),
    close: onClose,
  };
}
