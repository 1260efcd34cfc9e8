// The operator's view of the embedded cloud in a state directory: the releases saved there, and, when a process
// (start, or simulate --approve external --keep) is running a release right now, that release live through its
// loopback control server. A live release wins over its saved copy; answers and aborts reach only live releases.
import { httpOperations } from '#local/control/client.ts';
import { readLiveControl } from '#local/control/control-file.ts';
import { ControlUnavailableError } from '#local/control/errors.ts';
import type { ReleaseOperations } from '#local/control/operations.ts';
import { savedOperations } from '#local/control/saved-operations.ts';
import { loadState } from '#local/state-dir.ts';
import { NotFoundError } from '#ports/errors.ts';

export async function openLocalOperations(stateDir: string): Promise<ReleaseOperations> {
  const saved = savedOperations(await loadState(stateDir), `embedded cloud (${stateDir})`);
  const control = await readLiveControl(stateDir);
  if (!control) return saved;
  const live = httpOperations(control, `embedded cloud (${stateDir}, live pid ${control.pid})`);
  return combine(live, saved);
}

function combine(live: ReleaseOperations, saved: ReleaseOperations): ReleaseOperations {
  /** Live release ids, or undefined when the live process went away since we found its control file. */
  const liveIds = async () => {
    try {
      return new Set((await live.listReleases()).map((release) => release.releaseId));
    } catch (error) {
      if (error instanceof ControlUnavailableError) return undefined;
      throw error;
    }
  };
  const pick = async (releaseId: string) => ((await liveIds())?.has(releaseId) ? live : saved);
  return {
    get where() {
      return live.where;
    },
    listReleases: async () => {
      const [fromLive, fromSaved] = await Promise.all([live.listReleases().catch(() => []), saved.listReleases()]);
      const ids = new Set(fromLive.map((release) => release.releaseId));
      return [...fromLive, ...fromSaved.filter((release) => !ids.has(release.releaseId))];
    },
    describeRelease: async (releaseId) => {
      const source = await pick(releaseId);
      try {
        return await source.describeRelease(releaseId);
      } catch (error) {
        if (source === live && error instanceof NotFoundError) return saved.describeRelease(releaseId);
        throw error;
      }
    },
    answerApproval: async (answer) => (await pick(answer.releaseId)).answerApproval(answer),
    abortRelease: async (input) => (await pick(input.releaseId)).abortRelease(input),
    close: async () => {
      await Promise.all([live.close(), saved.close()]);
    },
  };
}
