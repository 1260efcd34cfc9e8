import { formatCount, formatLimit, formatQuantity, formatRate } from '#domain/percent.ts';

describe('how numbers read', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [4000, '4,000'],
    [1_000_000, '1,000,000'],
  ])('writes the count %p as %p', (count, text) => {
    expect(formatCount(count)).toBe(text);
  });

  it.each([
    [0, 'device', undefined, '0 devices'],
    [1, 'device', undefined, '1 device'],
    [2, 'device', undefined, '2 devices'],
    [4000, 'target', undefined, '4,000 targets'],
    [1, 'criterion', 'criteria', '1 criterion'],
    [3, 'criterion', 'criteria', '3 criteria'],
  ])('writes %p %s with a noun that agrees', (count, singular, plural, text) => {
    expect(formatQuantity(count, singular, plural)).toBe(text);
  });

  it.each([
    [0.04, '4.0 %', '4 %'],
    [0.025, '2.5 %', '2.5 %'],
  ])('writes the rate %p as %p observed and %p as a limit', (rate, observed, limit) => {
    expect(formatRate(rate)).toBe(observed);
    expect(formatLimit(rate)).toBe(limit);
  });
});
