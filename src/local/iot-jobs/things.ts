// The thing registry: names, thing groups, numeric thing attributes (the cohort), dynamic thing groups, and the dense
// index the engine stores per-thing state under. Things are numbered in the order they are added; groups keep sorted
// member lists (a thing joins a group once). A simulated fleet's numbered things (`device-000001` …) are a block whose
// names are made when asked for, not a million strings and map entries made up front (and again for every run of an
// assessment); things added one by one keep a string and a map entry each.
// Documented limits it enforces: a thing belongs to at most 10 groups; an account has at most 100 dynamic groups.
import { cohortMatches, type FleetQuery, termCount, MAX_QUERY_TERMS } from '#domain/fleet-query.ts';
import { QuotaExceededError } from '#ports/errors.ts';

/** "You can add a thing to a maximum of 10 groups" (developer guide, Static thing groups). */
export const MAX_GROUPS_PER_THING = 10;
/** "Maximum dynamic groups: 100" per account (developer guide, AWS IoT limits: thing group limits). */
export const MAX_DYNAMIC_GROUPS = 100;

/** Things `first`..`first + count - 1`, named `<prefix>-<n + 1>` with n zero-padded to `width` digits. */
interface NumberedBlock {
  first: number;
  count: number;
  prefix: string;
  width: number;
}

/** A static group's members: sorted thing indices in a growable Int32Array (a million of them copy as one block). */
class MemberList {
  private values = new Int32Array(16);
  length = 0;

  get last(): number | undefined {
    return this.length > 0 ? this.values[this.length - 1] : undefined;
  }

  push(index: number): void {
    if (this.length === this.values.length) {
      const grown = new Int32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = index;
  }

  /** Adds an index that is not there yet and lies below the last, keeping the list sorted. */
  insert(index: number): void {
    this.push(index);
    this.view().sort();
  }

  /** The members now (a view: it changes as the group does). */
  view(): Int32Array {
    return this.values.subarray(0, this.length);
  }
}

export class ThingRegistry {
  private count = 0;
  /** Names of things added one by one (index → name); numbered things are in `blocks`. */
  private readonly names = new Map<number, string>();
  private readonly indexByName = new Map<string, number>();
  private readonly blocks: NumberedBlock[] = [];
  private readonly groups = new Map<string, MemberList>();
  /** Static groups per thing index (at most MAX_GROUPS_PER_THING, so a byte each). */
  private groupCounts = new Uint8Array(16);
  private readonly dynamic = new Map<string, FleetQuery>();
  /** Where `matching` collects what it finds before copying it out (kept: a fresh million-entry array each time costs). */
  private scratch = new Int32Array(0);
  /** Numeric attribute values per thing (the cohort); NaN where a thing has none. */
  private readonly attributes = new Map<string, Float64Array>();

  get size(): number {
    return this.count;
  }

  /** Adds a thing (or finds it) and returns its index. */
  add(name: string, groups: readonly string[] = []): number {
    let index = this.indexOf(name);
    if (index === undefined) {
      index = this.count++;
      this.names.set(index, name);
      this.indexByName.set(name, index);
    }
    for (const group of groups) this.addToGroup(group, index);
    return index;
  }

  /** Adds `count` things named `<prefix>-<n>` (zero-padded), `groupOf(n)` naming each one's groups. */
  addNumbered(prefix: string, count: number, groupOf: (n: number) => readonly string[]): { first: number; count: number } {
    const width = Math.max(6, String(count).length);
    const first = this.count;
    // A block only when no name of it can exist yet; otherwise one by one, so a name is never two things.
    const clashes = this.blocks.some((block) => block.prefix === prefix) || [...this.indexByName.keys()].some((name) => name.startsWith(`${prefix}-`));
    if (clashes) {
      for (let n = 0; n < count; n++) this.add(`${prefix}-${String(n + 1).padStart(width, '0')}`, groupOf(n));
      return { first, count };
    }
    this.blocks.push({ first, count, prefix, width });
    this.count += count;
    // The block's things are new and numbered after every other, so each joins the end of its groups' sorted lists.
    // A fleet gives most devices the same groups array: its member lists are looked up once per change of array.
    let groups: readonly string[] | undefined;
    let lists: MemberList[] = [];
    const groupCounts = this.groupCountsFor(this.count);
    for (let n = 0; n < count; n++) {
      const index = first + n;
      const next = groupOf(n);
      if (next !== groups) {
        groups = next;
        lists = [...new Set(next)].map((group) => this.staticMembers(group));
        if (lists.length > MAX_GROUPS_PER_THING) {
          throw new QuotaExceededError(`AddThingToThingGroup ${next[MAX_GROUPS_PER_THING]}: ${this.nameOf(index)} already belongs to ${MAX_GROUPS_PER_THING} groups (LimitExceededException)`);
        }
      }
      for (const members of lists) members.push(index);
      groupCounts[index] = lists.length;
    }
    return { first, count };
  }

  /** A static group's sorted member list, made empty on first use. */
  private staticMembers(group: string): MemberList {
    if (this.dynamic.has(group)) throw new RangeError(`${group} is a dynamic thing group: its members come from its query`);
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = new MemberList()));
    return members;
  }

  addToGroup(group: string, index: number): void {
    const members = this.staticMembers(group);
    // Members arrive in index order in the common case; keep the list sorted and free of repeats either way.
    const last = members.last;
    if (last !== undefined && (last === index || (last > index && members.view().includes(index)))) return;
    const count = this.groupCountOf(index);
    if (count >= MAX_GROUPS_PER_THING) throw new QuotaExceededError(`AddThingToThingGroup ${group}: ${this.nameOf(index)} already belongs to ${MAX_GROUPS_PER_THING} groups (LimitExceededException)`);
    this.groupCountsFor(index + 1)[index] = count + 1;
    if (last === undefined || last < index) members.push(index);
    else members.insert(index);
  }

  /** How many static groups a thing belongs to. */
  groupCountOf(index: number): number {
    return this.groupCounts[index] ?? 0;
  }

  /** The group counts, grown to hold at least `size` things. */
  private groupCountsFor(size: number): Uint8Array {
    if (size > this.groupCounts.length) {
      const grown = new Uint8Array(Math.max(size, this.groupCounts.length * 2));
      grown.set(this.groupCounts);
      this.groupCounts = grown;
    }
    return this.groupCounts;
  }

  // ── numeric attributes ──────────────────────────────────────────────────────────────────────────────────────

  setAttribute(name: string, index: number, value: number): void {
    this.columnOf(name, index + 1)[index] = value;
  }

  /**
   * The attribute's values by thing index (NaN: none), made for every thing if new, for bulk reads and writes
   * (provisioning a million cohorts). The registry keeps the array: writes to it are the things' values.
   */
  attributeColumn(name: string): Float64Array {
    return this.columnOf(name, this.count);
  }

  /** The attribute's column, grown (NaN-filled) to hold at least `size` things and every thing there is. */
  private columnOf(name: string, size: number): Float64Array {
    let column = this.attributes.get(name);
    if (!column || column.length < Math.max(size, this.count)) {
      const grown = new Float64Array(Math.max(size, this.count, (column?.length ?? 0) * 2)).fill(Number.NaN);
      if (column) grown.set(column);
      this.attributes.set(name, (column = grown));
    }
    return column;
  }

  attribute(name: string, index: number): number | undefined {
    const value = this.attributes.get(name)?.[index];
    return value === undefined || Number.isNaN(value) ? undefined : value;
  }

  hasAttribute(name: string): boolean {
    return this.attributes.has(name);
  }

  // ── fleet-indexing queries and dynamic groups ───────────────────────────────────────────────────────────────

  /** Sorted thing indices the query matches (what fleet indexing would answer). */
  matching(query: FleetQuery): Int32Array {
    const { candidates, shared, matches } = this.queryOver(query);
    if (!matches) return shared ? candidates.slice() : candidates;
    // Found into the registry's scratch array, then copied out at their size: a 1 % wave of a million devices
    // allocates its ten thousand, not a million, each time it is asked.
    if (this.scratch.length < candidates.length) this.scratch = new Int32Array(candidates.length);
    const found = this.scratch;
    let write = 0;
    for (let read = 0; read < candidates.length; read++) if (matches(candidates[read]!)) found[write++] = candidates[read]!;
    return found.slice(0, write);
  }

  /** Refuses (RangeError) a query fleet indexing would refuse, without evaluating it. */
  checkQuery(query: FleetQuery): void {
    if (termCount(query) > MAX_QUERY_TERMS) throw new RangeError(`a fleet-indexing query has at most ${MAX_QUERY_TERMS} terms, this one ${termCount(query)}`);
  }

  /** How many things the query matches (GetStatistics' count), without listing them. */
  countMatching(query: FleetQuery): number {
    const { candidates, matches } = this.queryOver(query);
    return matches ? this.countIn(candidates, matches) : candidates.length;
  }

  /**
   * The query's candidate things (its static groups' members) and its cohort test, if any. With one group the
   * candidates are that group's own list (`shared`: copy before handing out), not a copy of a million indices.
   */
  private queryOver(query: FleetQuery): { candidates: Int32Array; shared: boolean; matches?: (index: number) => boolean } {
    this.checkQuery(query);
    const groups = query.thingGroups.filter((group) => this.groups.has(group));
    const shared = groups.length === 1;
    const candidates = shared ? this.groups.get(groups[0]!)!.view() : this.membersOfAll(groups);
    if (!query.cohort) return { candidates, shared };
    const column = this.attributes.get(query.cohort.attribute);
    const matches = (index: number) => {
      const value = column?.[index];
      return cohortMatches(query, value === undefined || Number.isNaN(value) ? undefined : value);
    };
    return { candidates, shared, matches };
  }

  private countIn(candidates: Int32Array, matches: (index: number) => boolean): number {
    let count = 0;
    for (let read = 0; read < candidates.length; read++) if (matches(candidates[read]!)) count++;
    return count;
  }

  /** CreateDynamicThingGroup: false when it already exists. Membership is the query, evaluated when asked. */
  createDynamicGroup(name: string, query: FleetQuery): boolean {
    if (this.dynamic.has(name)) return false;
    if (this.groups.has(name)) throw new RangeError(`${name} is a static thing group`);
    if (this.dynamic.size >= MAX_DYNAMIC_GROUPS) throw new QuotaExceededError(`CreateDynamicThingGroup ${name}: the account has ${MAX_DYNAMIC_GROUPS} dynamic groups (LimitExceededException)`);
    // Refuses a query fleet indexing would refuse, without evaluating it over the fleet (its members are asked later).
    this.checkQuery(query);
    this.dynamic.set(name, query);
    return true;
  }

  deleteDynamicGroup(name: string): boolean {
    return this.dynamic.delete(name);
  }

  isDynamicGroup(name: string): boolean {
    return this.dynamic.has(name);
  }

  dynamicGroupNames(): string[] {
    return [...this.dynamic.keys()];
  }

  indexOf(name: string): number | undefined {
    const index = this.indexByName.get(name);
    if (index !== undefined || this.blocks.length === 0) return index;
    for (const block of this.blocks) {
      if (name.length !== block.prefix.length + 1 + block.width || !name.startsWith(block.prefix) || name[block.prefix.length] !== '-') continue;
      const digits = name.slice(block.prefix.length + 1);
      if (!/^\d+$/.test(digits)) continue;
      const n = Number(digits) - 1;
      if (n >= 0 && n < block.count) return block.first + n;
    }
    return undefined;
  }

  nameOf(index: number): string {
    const name = this.names.get(index);
    if (name !== undefined) return name;
    for (const block of this.blocks) {
      if (index >= block.first && index < block.first + block.count) return `${block.prefix}-${String(index - block.first + 1).padStart(block.width, '0')}`;
    }
    throw new RangeError(`no thing with index ${index}`);
  }

  hasGroup(group: string): boolean {
    return this.groups.has(group) || this.dynamic.has(group);
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Sorted thing indices of the group (a dynamic group's: its query now); empty for an unknown group. Read only. */
  membersOf(group: string): Int32Array {
    const query = this.dynamic.get(group);
    if (query) return this.matching(query);
    return this.groups.get(group)?.view() ?? new Int32Array(0);
  }

  /** Sorted, de-duplicated thing indices of all the groups together (a copy the caller may change). */
  membersOfAll(groups: readonly string[]): Int32Array {
    if (groups.length === 0) return new Int32Array(0);
    if (groups.length === 1) {
      // A dynamic group's members are a fresh answer to its query already; a static group's are its own list.
      const members = this.membersOf(groups[0]!);
      return this.dynamic.has(groups[0]!) ? members : members.slice();
    }
    return sortedUnion(groups.map((group) => this.membersOf(group)));
  }

  /** A thing's ARN as IoT prints it in events and target lists. */
  thingArn(name: string): string {
    return `${ARN_PREFIX}thing/${name}`;
  }

  groupArn(group: string): string {
    return `${ARN_PREFIX}thinggroup/${group}`;
  }
}

/** The thing indices of all the parts together, sorted, each once. */
export function sortedUnion(parts: readonly Int32Array[]): Int32Array {
  const all = new Int32Array(parts.reduce((size, part) => size + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  all.sort();
  let write = 0;
  for (let read = 0; read < all.length; read++) if (read === 0 || all[read] !== all[read - 1]) all[write++] = all[read]!;
  return write === all.length ? all : all.slice(0, write);
}

/** The local cloud's pretend account and Region. */
export const ARN_PREFIX = 'arn:aws:iot:local-1:000000000000:';
