// A binary min-heap of (time, payload) pairs in typed arrays: no object per entry, so a million pending device
// steps cost 12 bytes each. Ties pop in insertion order (a sequence number breaks them), which keeps runs
// reproducible whatever the heap's internal layout.

export class EventHeap {
  private times: Float64Array;
  private seqs: Float64Array;
  private payloads: Int32Array;
  private count = 0;
  private nextSeq = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.seqs = new Float64Array(initialCapacity);
    this.payloads = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  /** Time of the earliest entry; Infinity when empty. */
  peekTime(): number {
    return this.count === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  push(time: number, payload: number): void {
    if (this.count === this.times.length) this.grow();
    let index = this.count++;
    const seq = this.nextSeq++;
    // Sift up.
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(time, seq, this.times[parent]!, this.seqs[parent]!)) break;
      this.times[index] = this.times[parent]!;
      this.seqs[index] = this.seqs[parent]!;
      this.payloads[index] = this.payloads[parent]!;
      index = parent;
    }
    this.times[index] = time;
    this.seqs[index] = seq;
    this.payloads[index] = payload;
  }

  /** Removes the earliest entry and returns its payload; check `size` first. */
  pop(): number {
    const top = this.payloads[0]!;
    const last = --this.count;
    if (last === 0) return top;
    const time = this.times[last]!;
    const seq = this.seqs[last]!;
    const payload = this.payloads[last]!;
    let index = 0;
    const half = last >> 1;
    while (index < half) {
      let child = 2 * index + 1;
      const right = child + 1;
      if (right < last && this.before(this.times[right]!, this.seqs[right]!, this.times[child]!, this.seqs[child]!)) child = right;
      if (!this.before(this.times[child]!, this.seqs[child]!, time, seq)) break;
      this.times[index] = this.times[child]!;
      this.seqs[index] = this.seqs[child]!;
      this.payloads[index] = this.payloads[child]!;
      index = child;
    }
    this.times[index] = time;
    this.seqs[index] = seq;
    this.payloads[index] = payload;
    return top;
  }

  private before(timeA: number, seqA: number, timeB: number, seqB: number): boolean {
    return timeA < timeB || (timeA === timeB && seqA < seqB);
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const payloads = new Int32Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    payloads.set(this.payloads);
    this.times = times;
    this.seqs = seqs;
    this.payloads = payloads;
  }
}
