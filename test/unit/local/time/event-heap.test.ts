import { EventHeap } from '#local/time/event-heap.ts';

describe('EventHeap', () => {
  it('pops by time, equal times in the order they were pushed, through growth and interleaved pushes', () => {
    let state = 11;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const heap = new EventHeap(2);
    // The reference: every pending entry with its push order, popped as the smallest (time, order).
    const pending: Array<{ time: number; order: number; payload: number }> = [];
    let order = 0;
    let now = 0;
    for (let step = 0; step < 5_000; step++) {
      if (pending.length === 0 || random() < 0.55) {
        const time = now + Math.floor(random() * 20); // few distinct times: many ties
        heap.push(time, step);
        pending.push({ time, order: order++, payload: step });
      } else {
        pending.sort((a, b) => a.time - b.time || a.order - b.order);
        const expected = pending.shift()!;
        expect(heap.peekTime()).toBe(expected.time);
        expect(heap.pop()).toBe(expected.payload);
        now = expected.time;
      }
      expect(heap.size).toBe(pending.length);
    }
    while (pending.length > 0) {
      pending.sort((a, b) => a.time - b.time || a.order - b.order);
      expect(heap.pop()).toBe(pending.shift()!.payload);
    }
    expect(heap.peekTime()).toBe(Number.POSITIVE_INFINITY);
  });
});
