// Showing a release to the holder of a view link (functions/release-dashboard.ts serves this to the dashboard page).
// The token is checked first, on every call; it names the release, so its holder reads that one release and nothing
// else: the record for the page's release list, or the whole view (the shape `status --json` prints). Nothing here
// writes, so a leaked view link shows a release but can never change one.
import type { Clock } from '#ports/clock.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { ReleaseRecord } from '#ports/release-store.ts';
import { type DescribeReleasePorts, type ReleaseView, describeRelease } from './describe-release.ts';
import { checkViewToken, ViewCheck } from './view-links.ts';

export type ViewReleasePorts = DescribeReleasePorts & {
  clock: Clock;
  /** The approval-link HMAC key, which also signs view tokens. */
  viewKey: () => Promise<Uint8Array>;
};

export const ViewOutcome = {
  SHOWN: 'shown',
  /** The token is missing, forged, expired, or for another release. */
  REFUSED: 'refused',
  /** A good token for a release the store does not have (deleted, or another stack's). */
  UNKNOWN_RELEASE: 'unknown-release',
} as const;
export type ViewOutcome = (typeof ViewOutcome)[keyof typeof ViewOutcome];

export type ViewResult<T> =
  | { outcome: typeof ViewOutcome.SHOWN; releaseId: string; value: T }
  | { outcome: typeof ViewOutcome.REFUSED; check: Exclude<ViewCheck, 'valid'>; message: string }
  | { outcome: typeof ViewOutcome.UNKNOWN_RELEASE; releaseId: string; message: string };

/** The record of the release the token names (for the release list: one GetItem, no IoT calls). */
export async function viewReleaseRecord(ports: ViewReleasePorts, token: string | undefined): Promise<ViewResult<ReleaseRecord>> {
  const access = checkViewToken(await ports.viewKey(), token, ports.clock.now());
  if (access.check !== ViewCheck.VALID) return { outcome: ViewOutcome.REFUSED, check: access.check, message: access.message };
  const record = await ports.store.getRelease(access.releaseId);
  if (!record) return unknown(access.releaseId);
  return { outcome: ViewOutcome.SHOWN, releaseId: access.releaseId, value: record };
}

/** The whole view of `releaseId`, when the token is for that release. */
export async function viewRelease(ports: ViewReleasePorts, token: string | undefined, releaseId: string): Promise<ViewResult<ReleaseView>> {
  const access = checkViewToken(await ports.viewKey(), token, ports.clock.now(), releaseId);
  if (access.check !== ViewCheck.VALID) return { outcome: ViewOutcome.REFUSED, check: access.check, message: access.message };
  try {
    return { outcome: ViewOutcome.SHOWN, releaseId, value: await describeRelease(ports, releaseId) };
  } catch (error) {
    if (error instanceof NotFoundError) return unknown(releaseId);
    throw error;
  }
}

const unknown = (releaseId: string) => ({ outcome: ViewOutcome.UNKNOWN_RELEASE, releaseId, message: `no release named ${releaseId}` }) as const;
