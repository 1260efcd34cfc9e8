// Version order for anti-rollback. Release versions follow the release schema (`[0-9A-Za-z.+_-]`), which is wider
// than semver (`2024.11.3`, `2.4.0-rc1`, `v7`), so this compares the way people read them: numeric parts as numbers,
// text parts as text, and a pre-release (`-rc1`) before the release it precedes. Build metadata (`+…`) is ignored.

function split(version: string): { core: string[]; pre: string[] | undefined } {
  const withoutBuild = version.replace(/^v/i, '').split('+')[0] ?? '';
  const dash = withoutBuild.indexOf('-');
  const core = (dash === -1 ? withoutBuild : withoutBuild.slice(0, dash)).split(/[._]/);
  // `rc10` reads as `rc`, `10`, so rc2 < rc10 as people expect.
  const pre = dash === -1 ? undefined : (withoutBuild.slice(dash + 1).match(/\d+|[A-Za-z]+/g) ?? []);
  return { core, pre };
}

function compareParts(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const left = a[i];
    const right = b[i];
    if (left === undefined) return right === undefined || /^0*$/.test(right) ? 0 : -1;
    if (right === undefined) return /^0*$/.test(left) ? 0 : 1;
    const leftNumeric = /^\d+$/.test(left);
    const rightNumeric = /^\d+$/.test(right);
    if (leftNumeric && rightNumeric) {
      const difference = Number(left) - Number(right);
      if (difference !== 0) return Math.sign(difference);
    } else if (leftNumeric !== rightNumeric) {
      return leftNumeric ? -1 : 1; // semver: numeric identifiers sort before text
    } else if (left !== right) {
      return left < right ? -1 : 1;
    }
  }
  return 0;
}

/** Negative when `a` is older than `b`, 0 when they are the same release, positive when `a` is newer. */
export function compareVersions(a: string, b: string): number {
  const left = split(a);
  const right = split(b);
  const core = compareParts(left.core, right.core);
  if (core !== 0) return core;
  if (left.pre === undefined) return right.pre === undefined ? 0 : 1;
  if (right.pre === undefined) return -1;
  return compareParts(left.pre, right.pre);
}
