// A binary min-heap of (time, payload) pairs in one typed array: no object per entry, so a million pending device
// steps cost 24 bytes each. Ties pop in insertion order (a sequence number breaks them), which keeps runs
// reproducible whatever the heap's internal layout. Each entry's time, sequence number and payload sit side by side,
// so comparing two entries reads one place in memory, not three arrays: popping is most of a device step's cost.

export class EventHeap {
  /** Entry k at [3k, 3k + 1, 3k + 2]: time, sequence number, payload. */
  private entries: Float64Array;
  private count = 0;
  private nextSeq = 0;

  constructor(initialCapacity = 1024) {
    this.entries = new Float64Array(initialCapacity * 3);
  }

  get size(): number {
    return this.count;
  }

  /** Time of the earliest entry; Infinity when empty. */
  peekTime(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : this.entries[0]!;
  }

  push(time: number, payload: number): void {
    if (this.count * 3 === this.entries.length) this.grow();
    const e = this.entries;
    let index = this.count++;
    const seq = this.nextSeq++;
    // Sift up.
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const p = parent * 3;
      const parentTime = e[p]!;
      if (!(time < parentTime || (time === parentTime && seq < e[p + 1]!))) break;
      const at = index * 3;
      e[at] = parentTime;
      e[at + 1] = e[p + 1]!;
      e[at + 2] = e[p + 2]!;
      index = parent;
    }
    const at = index * 3;
    e[at] = time;
    e[at + 1] = seq;
    e[at + 2] = payload;
  }

  /** Removes the earliest entry and returns its payload; check `size` first. */
  pop(): number {
    const e = this.entries;
    const top = e[2]!;
    const last = --this.count;
    if (last === 0) return top;
    const time = e[last * 3]!;
    const seq = e[last * 3 + 1]!;
    const payload = e[last * 3 + 2]!;
    let index = 0;
    const half = last >> 1;
    // Sift down: the earlier child moves up until the last entry fits.
    while (index < half) {
      let child = 2 * index + 1;
      let c = child * 3;
      if (child + 1 < last) {
        const rightTime = e[c + 3]!;
        const leftTime = e[c]!;
        if (rightTime < leftTime || (rightTime === leftTime && e[c + 4]! < e[c + 1]!)) {
          child++;
          c += 3;
        }
      }
      const childTime = e[c]!;
      if (!(childTime < time || (childTime === time && e[c + 1]! < seq))) break;
      const at = index * 3;
      e[at] = childTime;
      e[at + 1] = e[c + 1]!;
      e[at + 2] = e[c + 2]!;
      index = child;
    }
    const at = index * 3;
    e[at] = time;
    e[at + 1] = seq;
    e[at + 2] = payload;
    return top;
  }

  private grow(): void {
    const entries = new Float64Array(this.entries.length * 2);
    entries.set(this.entries);
    this.entries = entries;
  }
}
