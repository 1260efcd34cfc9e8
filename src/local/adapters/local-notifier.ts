// Notifier for the local cloud: keeps every notice (for the report and the state directory) and hands approval
// requests to whoever answers them in this run (`--approve auto|reject|prompt|external`).
import type { ApprovalRequest, Notifier, ReleaseNotice } from '#ports/notifier.ts';

export type ApprovalListener = (request: ApprovalRequest) => void;

export class LocalNotifier implements Notifier {
  readonly notices: ReleaseNotice[] = [];
  readonly approvalRequests: ApprovalRequest[] = [];
  private readonly listeners: ApprovalListener[] = [];

  async approvalRequested(request: ApprovalRequest): Promise<void> {
    this.approvalRequests.push(request);
    for (const listener of this.listeners) listener(request);
  }

  async releaseEvent(notice: ReleaseNotice): Promise<void> {
    this.notices.push(notice);
  }

  onApprovalRequested(listener: ApprovalListener): void {
    this.listeners.push(listener);
  }
}
