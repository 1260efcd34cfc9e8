// `ota-release list` as a table, newest first; releases that wait for an operator stand out.
import type { ReleaseSummary } from '#operator/operations.ts';
import { type Terminal, clockNote, paint, printable, releaseTime, status, table, when } from './terminal.ts';

export function renderList(releases: ReleaseSummary[], where: string, terminal: Terminal): string {
  if (releases.length === 0) return `No releases in ${where}.\n`;
  const rows = table(['release', 'product', 'version', 'status', 'stage', 'started', 'updated'], terminal);
  const newestFirst = [...releases].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.releaseId.localeCompare(b.releaseId));
  for (const release of newestFirst) {
    rows.push([
      release.releaseId,
      printable(release.product),
      release.version,
      release.awaitingApproval ? paint('AWAITING_APPROVAL ←', 'yellow', terminal) : status(release.status, terminal),
      `${release.stageName} (${release.stageIndex + 1}/${release.stageCount})`,
      when(release.createdAt),
      releaseTime(release.updatedAt, release),
    ]);
  }
  const waiting = releases.filter((release) => release.awaitingApproval).length;
  const note = releases.map(clockNote).find(Boolean);
  const footer = `${note ? `\n${note}` : ''}${waiting ? `\n${waiting} release${waiting === 1 ? ' waits' : 's wait'} for an operator: ota-release status <release>` : ''}`;
  return `${paint(where, 'grey', terminal)}\n${rows.toString()}${footer}\n`;
}
