// The operator's view of the embedded cloud in a state directory: the releases saved there, and, for each process
// (start, or simulate --approve external --keep) running a release right now, that release live through the
// process's loopback control server (control/<pid>.json); several can run at once. A live release wins over its
// saved copy; answers and aborts reach only live releases (or end one whose process was killed).
// Every call looks again (the control and release files are small), so a long-lived dashboard follows releases
// that start, end and get saved while it runs.
import { httpOperations } from '#operator/client.ts';
import { readLiveControls } from '#local/control/control-file.ts';
import { ControlUnavailableError } from '#operator/errors.ts';
import type { ReleaseOperations } from '#operator/operations.ts';
import { savedOperations } from '#local/control/saved-operations.ts';
import { loadState } from '#local/state-dir.ts';
import { NotFoundError } from '#ports/errors.ts';

export async function openLocalOperations(stateDir: string): Promise<ReleaseOperations> {
  const savedWhere = `embedded cloud (${stateDir})`;
  const sources = async () => {
    const [state, controls] = await Promise.all([loadState(stateDir), readLiveControls(stateDir)]);
    const saved = savedOperations(state, savedWhere, stateDir);
    const lives = controls.map((control) => httpOperations(control, `embedded cloud (${stateDir}, live pid ${control.pid})`));
    return { saved, lives };
  };
  let where = (await sources()).lives[0]?.where ?? savedWhere;

  /** The live release ids, or undefined when the process does not answer (it may have ended since its file was read). */
  const liveIds = async (live: ReleaseOperations) => {
    try {
      return new Set((await live.listReleases()).map((release) => release.releaseId));
    } catch (error) {
      if (error instanceof ControlUnavailableError) return undefined;
      throw error;
    }
  };
  const pick = async (releaseId: string) => {
    const { saved, lives } = await sources();
    for (const live of lives) {
      if ((await liveIds(live))?.has(releaseId)) {
        where = live.where;
        return { saved, source: live };
      }
    }
    where = lives[0]?.where ?? savedWhere;
    return { saved, source: saved };
  };

  return {
    get where() {
      return where;
    },
    listReleases: async () => {
      const { saved, lives } = await sources();
      where = lives[0]?.where ?? savedWhere;
      const [fromLives, fromSaved] = await Promise.all([Promise.all(lives.map((live) => live.listReleases().catch(() => []))), saved.listReleases()]);
      const fromLive = fromLives.flat();
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
