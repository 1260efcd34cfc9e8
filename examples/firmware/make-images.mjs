#!/usr/bin/env node
// Writes the example firmware images: 256 KiB each, deterministic (a seeded generator), so their SHA-256 never
// changes and tests can pin it. Run: node examples/firmware/make-images.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 256 * 1024;
const here = dirname(fileURLToPath(import.meta.url));

/** mulberry32: a tiny seeded PRNG; good enough to make bytes that do not compress to nothing. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function image(product, version) {
  const bytes = Buffer.alloc(SIZE);
  // A readable header, as real images carry one: magic, product, version.
  const header = Buffer.from(`OTAFW\0${product}\0${version}\0`, 'utf8');
  header.copy(bytes, 0);
  let seed = 0;
  for (const char of `${product}@${version}`) seed = Math.imul(seed ^ char.charCodeAt(0), 16777619) >>> 0;
  const next = mulberry32(seed);
  for (let i = 64; i < SIZE; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

for (const version of ['2.4.0', '2.3.1']) {
  const file = join(here, `gateway-${version}.bin`);
  writeFileSync(file, image('edge-gateway', version));
  console.log(`wrote ${file} (${SIZE} bytes)`);
}
