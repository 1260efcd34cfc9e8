import { compareVersions } from '#device/version.ts';

describe('compareVersions', () => {
  it.each([
    ['2.4.0', '2.3.9', 1],
    ['2.10.0', '2.9.0', 1],
    ['2.4.0', '2.4.0', 0],
    ['2.4', '2.4.0', 0],
    ['v2.4.0', '2.4.0', 0],
    ['2.4.0+build7', '2.4.0', 0],
    ['2.4.0-rc1', '2.4.0', -1],
    ['2.4.0-rc2', '2.4.0-rc10', -1],
    ['2.4.0-alpha', '2.4.0-beta', -1],
    ['2024.11.3', '2024.2.10', 1],
    ['1.0.0', '1.0.0.1', -1],
  ])('orders %s against %s as %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
    expect(compareVersions(b, a)).toBe(-expected || 0);
  });
});
