// The operator's view of the embedded cloud in a state directory: the releases saved there, and, when a process
// (start, or simulate --approve external --keep) is running a release right now, that release live through its
// loopback control server. A live release wins over its saved copy; answers and aborts reach only live releases.
// Every call looks again (control.json and the release files are small), so a long-lived dashboard follows releases that
// start, end and get saved while it runs.
import { httpOperations } from '#local/control/client.ts';
import { readLiveControl } from '#local/control/control-file.ts';
import { ControlUnavailableError } from '#local/control/errors.ts';
import type { ReleaseOperations } from '#local/control/operations.ts';
import { savedOperations } from '#local/control/saved-operations.ts';
import { loadState } from '#local/state-dir.ts';
import { NotFoundError } from '#ports/errors.ts';

export async function openLocalOperations(stateDir: string): Promise<ReleaseOperations> {
  const savedWhere = `embedded cloud (${stateDir})`;
  const sources = async () => {
    const [state, control] = await Promise.all([loadState(stateDir), readLiveControl(stateDir)]);
    const saved = savedOperations(state, savedWhere, stateDir);
    const live = control ? httpOperations(control, `embedded cloud (${stateDir}, live pid ${control.pid})`) : undefined;
    return { saved, live };
  };
  let where = (await sources()).live?.where ?? savedWhere;

  /** The live release ids, or undefined when no live process answers (it may have ended since control.json was read). */
  const liveIds = async (live: ReleaseOperations | undefined) => {
    if (!live) return undefined;
    try {
      return new Set((await live.listReleases()).map((release) => release.releaseId));
    } catch (error) {
      if (error instanceof ControlUnavailableError) return undefined;
      throw error;
    }
  };
  const pick = async (releaseId: string) => {
    const { saved, live } = await sources();
    where = live?.where ?? savedWhere;
    return { saved, source: live && (await liveIds(live))?.has(releaseId) ? live : saved };
  };

  return {
    get where() {
      return where;
    },
    listReleases: async () => {
      const { saved, live } = await sources();
      where = live?.where ?? savedWhere;
      const [fromLive, fromSaved] = await Promise.all([live ? live.listReleases().catch(() => []) : [], saved.listReleases()]);
      const ids = new Set(fromLive.map((release) => release.releaseId));
      return [...fromLive, ...fromSaved.filter((release) => !ids.has(release.releaseId))];
    },
    describeRelease: async (releaseId) => {
      const { saved, source } = await pick(releaseId);
      try {
        return await source.describeRelease(releaseId);
      } catch (error) {
        // The live process ended between the two calls: its release is saved by now.
        if (source !== saved && (error instanceof NotFoundError || error instanceof ControlUnavailableError)) return saved.describeRelease(releaseId);
        throw error;
      }
    },
    answerApproval: async (answer) => (await pick(answer.releaseId)).source.answerApproval(answer),
    abortRelease: async (input) => (await pick(input.releaseId)).source.abortRelease(input),
    close: async () => {},
  };
}
