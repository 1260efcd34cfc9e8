import { sortedUnion, ThingRegistry } from '#local/iot-jobs/things.ts';

describe('ThingRegistry numbered things', () => {
  it('names numbered things on demand and finds them by name', () => {
    const things = new ThingRegistry();
    const lone = things.add('gateway-a', ['fleet']);
    const { first } = things.addNumbered('device', 1000, () => ['fleet']);
    expect(things.size).toBe(1001);
    expect(first).toBe(lone + 1);
    expect(things.nameOf(first)).toBe('device-000001');
    expect(things.nameOf(first + 999)).toBe('device-001000');
    expect(things.indexOf('device-000500')).toBe(first + 499);
    expect(things.indexOf('device-001001')).toBeUndefined();
    expect(things.indexOf('device-00050')).toBeUndefined();
    expect(things.membersOf('fleet')).toHaveLength(1001);
  });

  it('keeps one thing per name: adding a numbered name again finds it', () => {
    const things = new ThingRegistry();
    things.addNumbered('device', 10, () => []);
    expect(things.add('device-000003', ['canary'])).toBe(2);
    expect(things.size).toBe(10);
    expect([...things.membersOf('canary')]).toEqual([2]);
  });

  it('adds one by one when names of the block already exist', () => {
    const things = new ThingRegistry();
    const existing = things.add('device-000002');
    const { first } = things.addNumbered('device', 3, () => []);
    expect(things.size).toBe(3);
    expect(things.indexOf('device-000002')).toBe(existing);
    expect(things.nameOf(first)).toBe('device-000001');
  });

  it('refuses an index it never gave out', () => {
    const things = new ThingRegistry();
    things.addNumbered('device', 2, () => []);
    expect(() => things.nameOf(2)).toThrow(RangeError);
  });
});

describe('ThingRegistry group members', () => {
  it('answers several groups as one sorted list with each thing once, and a job over groups and things the same way', () => {
    const things = new ThingRegistry();
    things.addNumbered('device', 6, (n) => (n % 2 === 0 ? ['even', 'all'] : ['all']));
    things.add('device-000004', ['late']);
    things.add('device-000001', ['late']);
    expect([...things.membersOfAll(['late', 'even'])]).toEqual([0, 2, 3, 4]);
    expect([...things.membersOfAll(['all', 'even', 'late'])]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...sortedUnion([Int32Array.of(5, 1), Int32Array.of(1, 3, 5), Int32Array.of()])]).toEqual([1, 3, 5]);
  });
});
