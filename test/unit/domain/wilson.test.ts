import fc from 'fast-check';
import { normalQuantile, wilsonBounds, zForConfidence } from '#domain/wilson.ts';

describe('normalQuantile', () => {
  it.each([
    [0.975, 1.959964],
    [0.95, 1.644854],
    [0.5, 0],
    [0.01, -2.326348],
    [0.999, 3.090232],
  ])('gives the standard normal quantile of %p', (p, expected) => {
    expect(normalQuantile(p)).toBeCloseTo(expected, 5);
  });

  it.each([0, 1, -0.1, Number.NaN])('refuses %p', (p) => {
    expect(() => normalQuantile(p)).toThrow(RangeError);
  });

  it('turns a confidence level into a two-sided z', () => {
    expect(zForConfidence(0.95)).toBeCloseTo(1.959964, 5);
    expect(zForConfidence(0.9)).toBeCloseTo(1.644854, 5);
  });
});

describe('wilsonBounds', () => {
  // Reference values: Wilson score interval, e.g. Newcombe (1998) table I and R's binom::binom.wilson.
  it.each([
    [0, 10, 0.95, 0, 0.2775],
    [0, 100, 0.95, 0, 0.037],
    [5, 100, 0.95, 0.0215, 0.1118],
    [1, 1, 0.95, 0.2065, 1],
    [15, 148, 0.95, 0.0624, 0.1605],
  ])('gives %p of %p at %p confidence as [%p, %p]', (failures, n, confidence, lower, upper) => {
    const bounds = wilsonBounds(failures, n, confidence);
    expect(bounds.lower).toBeCloseTo(lower, 3);
    expect(bounds.upper).toBeCloseTo(upper, 3);
  });

  it('knows nothing when nothing has executed', () => {
    expect(wilsonBounds(0, 0, 0.95)).toEqual({ lower: 0, upper: 1 });
  });

  it('always contains the observed rate and stays inside [0, 1]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.51, max: 0.999, noNaN: true }), (n, share, confidence) => {
        const failures = Math.round(share * n);
        const { lower, upper } = wilsonBounds(failures, n, confidence);
        const rate = failures / n;
        return lower >= 0 && upper <= 1 && lower <= rate && rate <= upper;
      }),
      { seed: 20240601, numRuns: 2000 },
    );
  });

  it('narrows as confidence falls', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
        const failures = Math.round(share * n);
        const wide = wilsonBounds(failures, n, 0.99);
        const narrow = wilsonBounds(failures, n, 0.8);
        return wide.lower <= narrow.lower + 1e-12 && wide.upper >= narrow.upper - 1e-12;
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
