import { keyBeside } from '#app/start-from-manifest.ts';

describe('keyBeside', () => {
  it.each([
    ['firmware/gw-2.4.0/release.yaml', 'gw-2.4.0.bin', 'firmware/gw-2.4.0/gw-2.4.0.bin'],
    ['firmware/gw-2.4.0/release.yaml', './images/a.bin', 'firmware/gw-2.4.0/images/a.bin'],
    ['firmware/gw-2.4.0/release.yaml', '../gw-2.3.1/gw-2.3.1.bin', 'firmware/gw-2.3.1/gw-2.3.1.bin'],
    ['firmware/gw-2.4.0/release.yaml', '/firmware/common/x.bin', 'firmware/common/x.bin'],
    ['release.yaml', 'x.bin', 'x.bin'],
    ['firmware/release.yaml', '../x.bin', 'x.bin'],
  ])('resolves %s + %s to %s', (manifestKey, file, key) => {
    expect(keyBeside(manifestKey, file)).toBe(key);
  });

  it.each([
    ['release.yaml', '../x.bin'],
    ['firmware/release.yaml', '../../x.bin'],
    ['firmware/release.yaml', '/'],
    ['firmware/release.yaml', 'images/'],
    ['firmware/release.yaml', '..'],
  ])('refuses %s + %s (outside the bucket, or not an object)', (manifestKey, file) => {
    expect(keyBeside(manifestKey, file)).toBeUndefined();
  });
});
