import { normalQuantile, wilsonInterval } from '#domain/binomial-interval.ts';

describe('wilsonInterval', () => {
  // Reference values from Brown, Cai & DasGupta (2001) and R's binom::binom.wilson.
  it.each([
    [0, 10, 0, 0.2775],
    [5, 10, 0.2366, 0.7634],
    [10, 10, 0.7225, 1],
    [1, 200, 0.0009, 0.0278],
  ])('%i of %i at 95 %% is [%d, %d]', (k, n, low, high) => {
    const interval = wilsonInterval(k, n, 0.95);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('narrows as runs grow', () => {
    const small = wilsonInterval(2, 20);
    const large = wilsonInterval(20, 200);
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
  });

  it('refuses counts that are not a proportion', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
  });

  it('is [0, 1] with no runs', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe('normalQuantile', () => {
  it.each([
    [0.975, 1.959964],
    [0.5, 0],
    [0.01, -2.326348],
  ])('of %d is %d', (p, z) => expect(normalQuantile(p)).toBeCloseTo(z, 5));
});
