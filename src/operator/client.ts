// ReleaseOperations over HTTP: a CLI command in one terminal reaching the release that a live process (simulate,
// start) runs in another, through that process's loopback control server.
import type { AbortInput, AbortResult } from '#app/abort-release.ts';
import type { ReleaseView } from '#app/describe-release.ts';
import { ControlUnavailableError } from './errors.ts';
import { errorOf } from './http-status.ts';
import type { ApprovalAnswer, ApprovalAnswerResult, ReleaseOperations, ReleaseSummary } from './operations.ts';
import { TOKEN_HEADER } from './server.ts';

export interface ControlEndpoint {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  token: string;
}

export function httpOperations(endpoint: ControlEndpoint, where: string): ReleaseOperations {
  const base = endpoint.url.replace(/\/$/, '');

  async function call<T>(path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${base}/api${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { [TOKEN_HEADER]: endpoint.token, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ControlUnavailableError(`the live release process at ${endpoint.url} does not answer`, { cause: error });
    }
    const data = (await response.json().catch(() => ({}))) as { error?: string };
    if (!response.ok) throw errorOf(response.status, data.error ?? `HTTP ${response.status} from ${endpoint.url}`);
    return data as T;
  }

  const release = (releaseId: string) => `/releases/${encodeURIComponent(releaseId)}`;
  return {
    where,
    listReleases: async () => (await call<{ releases: ReleaseSummary[] }>('/releases')).releases,
    describeRelease: (releaseId) => call<ReleaseView>(release(releaseId)),
    answerApproval: (answer: ApprovalAnswer) => {
      const wave = answer.stageIndex !== undefined ? { stageIndex: answer.stageIndex } : {};
      return answer.answer === 'approve'
        ? call<ApprovalAnswerResult>(`${release(answer.releaseId)}/approve`, { by: answer.by, via: answer.via, ...(answer.comment && { comment: answer.comment }), ...wave })
        : call<ApprovalAnswerResult>(`${release(answer.releaseId)}/reject`, { by: answer.by, via: answer.via, reason: answer.comment ?? '', ...wave });
    },
    abortRelease: (input: AbortInput) =>
      call<AbortResult>(`${release(input.releaseId)}/abort`, { by: input.by, reason: input.reason, ...(input.force !== undefined && { force: input.force }) }),
    close: async () => {},
  };
}
