// The thing registry: names, thing groups, and the dense index the engine stores per-thing state under.
// Things are numbered in the order they are added; groups keep sorted member lists (a thing joins a group
// once). A million things cost one string and one map entry each.

export class ThingRegistry {
  private readonly names: string[] = [];
  private readonly indexByName = new Map<string, number>();
  private readonly groups = new Map<string, number[]>();

  get size(): number {
    return this.names.length;
  }

  /** Adds a thing (or finds it) and returns its index. */
  add(name: string, groups: readonly string[] = []): number {
    let index = this.indexByName.get(name);
    if (index === undefined) {
      index = this.names.length;
      this.names.push(name);
      this.indexByName.set(name, index);
    }
    for (const group of groups) this.addToGroup(group, index);
    return index;
  }

  /** Adds `count` things named `<prefix>-<n>` (zero-padded), `groupOf(n)` naming each one's groups. */
  addNumbered(prefix: string, count: number, groupOf: (n: number) => readonly string[]): { first: number; count: number } {
    const width = Math.max(6, String(count).length);
    const first = this.names.length;
    for (let n = 0; n < count; n++) this.add(`${prefix}-${String(n + 1).padStart(width, '0')}`, groupOf(n));
    return { first, count };
  }

  addToGroup(group: string, index: number): void {
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = []));
    // Members arrive in index order in the common case; keep the list sorted and free of repeats either way.
    const last = members[members.length - 1];
    if (last === undefined || last < index) members.push(index);
    else if (!members.includes(index)) {
      members.push(index);
      members.sort((a, b) => a - b);
    }
  }

  indexOf(name: string): number | undefined {
    return this.indexByName.get(name);
  }

  nameOf(index: number): string {
    const name = this.names[index];
    if (name === undefined) throw new RangeError(`no thing with index ${index}`);
    return name;
  }

  hasGroup(group: string): boolean {
    return this.groups.has(group);
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Sorted thing indices of the group; empty for an unknown group. */
  membersOf(group: string): readonly number[] {
    return this.groups.get(group) ?? [];
  }

  /** Sorted, de-duplicated thing indices of all the groups together. */
  membersOfAll(groups: readonly string[]): Int32Array {
    if (groups.length === 1) return Int32Array.from(this.membersOf(groups[0]!));
    const all = new Set<number>();
    for (const group of groups) for (const index of this.membersOf(group)) all.add(index);
    return Int32Array.from(all).sort();
  }

  /** A thing's ARN as IoT prints it in events and target lists. */
  thingArn(name: string): string {
    return `${ARN_PREFIX}thing/${name}`;
  }

  groupArn(group: string): string {
    return `${ARN_PREFIX}thinggroup/${group}`;
  }
}

/** The local cloud's pretend account and Region. */
export const ARN_PREFIX = 'arn:aws:iot:local-1:000000000000:';
