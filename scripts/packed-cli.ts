// The package as npm would install it, without a registry: `npm pack` (which builds dist/ through prepack), the tarball
// unpacked into <dir>/package, and this checkout's node_modules linked beside it for the dependencies. Used by the
// packaging test and bench/operations, so both run exactly the files the tarball ships.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface PackedCli {
  packageDir: string;
  /** bin/ota-release.mjs of the unpacked package. */
  bin: string;
  tarball: string;
  /** Bytes: the tarball, and its files unpacked. */
  size: number;
  unpackedSize: number;
  files: string[];
}

/** Packs and unpacks into `dir`. */
export function packInto(dir: string): PackedCli {
  mkdirSync(dir, { recursive: true });
  const [details] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  if (!details) throw new Error('npm pack wrote no tarball');
  execFileSync('tar', ['-xzf', join(dir, details.filename), '-C', dir]);
  const packageDir = join(dir, 'package');
  symlinkSync(join(ROOT, 'node_modules'), join(packageDir, 'node_modules'), 'dir');
  return { packageDir, bin: join(packageDir, 'bin', 'ota-release.mjs'), tarball: join(dir, details.filename), size: details.size, unpackedSize: details.unpackedSize, files: details.files.map((file) => file.path) };
}
