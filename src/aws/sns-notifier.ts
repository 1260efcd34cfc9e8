// Notifier on SNS (@aws-sdk/client-sns): one topic for approvals and release events; subscribers filter on the
// `kind` message attribute (approval-requested, promoted, rolled-back, …).
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { describeTestLines } from '#domain/evidence.ts';
import { describeGate } from '#domain/health-gates/describe-gate.ts';
import { formatCount } from '#domain/percent.ts';
import type { ApprovalRequest, Notifier, ReleaseNotice } from '#ports/notifier.ts';
import { type Instrument, noInstrument, required } from './config.ts';
import { rethrow } from './sdk-errors.ts';

/** SNS Subject: at most 100 printable ASCII characters. */
const SUBJECT_MAX = 100;

export class SnsNotifier implements Notifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: () => string,
  ) {}

  async approvalRequested(request: ApprovalRequest): Promise<void> {
    await this.publish(request.releaseId, 'approval-requested', `Approval needed: ${request.releaseId} stage ${request.stageName}`, approvalMessage(request));
  }

  async releaseEvent(notice: ReleaseNotice): Promise<void> {
    await this.publish(notice.releaseId, notice.kind, `${notice.releaseId}: ${notice.kind}`, notice.summary);
  }

  private async publish(releaseId: string, kind: string, subject: string, message: string): Promise<void> {
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn(),
          Subject: subject.replace(/[^\x20-\x7e]/g, '?').slice(0, SUBJECT_MAX),
          Message: message,
          MessageAttributes: {
            releaseId: { DataType: 'String', StringValue: releaseId },
            kind: { DataType: 'String', StringValue: kind },
          },
        }),
      );
    } catch (error) {
      rethrow(error, `SNS Publish ${kind}`);
    }
  }
}

/** A plain-text message a person can act on from a phone: what, why, the evidence, the two links, the deadline. */
export function approvalMessage(request: ApprovalRequest): string {
  const why = request.reason === 'hold' ? 'The judge could not decide and the policy asks a person.' : 'This stage needs a person to approve promotion.';
  const lines = [`Release ${request.releaseId}, stage ${request.stageIndex + 1} (${request.stageName}), waits for an answer.`, why];
  const judgement = request.judgement;
  if (judgement) {
    const e = judgement.evidence;
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    lines.push(
      '',
      `Verdict: ${judgement.verdict}`,
      ...judgement.reasons.map((reason) => `  - ${reason}`),
      `Executed ${formatCount(e.executed)} of ${formatCount(e.counts.targeted)} targeted: ${formatCount(e.counts.succeeded)} succeeded, ${formatCount(e.counts.failed)} failed, ${formatCount(e.counts.rejected)} rejected, ${formatCount(e.counts.timedOut)} timed out.`,
      `Failure rate ${pct(e.failureRate)}; acceptable ${pct(e.maxFailureRate)}, unacceptable ${pct(e.unacceptableFailureRate)}, at ${pct(e.confidence)} confidence over every look (test lines: ${describeTestLines(e)}).`,
      ...(judgement.gates ?? []).map((gate) => `Health gate ${describeGate(gate)}.`),
    );
  }
  lines.push('');
  if (request.approveUrl) lines.push(`Approve: ${request.approveUrl}`);
  if (request.rejectUrl) lines.push(`Reject:  ${request.rejectUrl}`);
  if (request.viewUrl) lines.push(`Watch:   ${request.viewUrl}  (read-only dashboard)`);
  lines.push(`Or: ota-release approve ${request.releaseId} --wave ${request.stageName}  /  ota-release reject ${request.releaseId} --wave ${request.stageName} --reason "…"`, `Answer before ${request.expiresAt}; the approve and reject links work once (either one).`);
  return lines.join('\n');
}

export function awsNotifier(instrument: Instrument = noInstrument): SnsNotifier {
  return new SnsNotifier(instrument(new SNSClient({})), () => required('approvalTopicArn'));
}
