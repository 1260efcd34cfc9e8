import { ThingRegistry } from '#local/iot-jobs/things.ts';

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
