// One timed assessment in a fresh process, for the side-by-side of --workers in run.ts: prints a JSON line with when
// the first and the last run finished, so start-up (the blueprint, the workers' module loading, the first runs' cold
// code) and the runs per second once started come apart.
// Usage: node --import ./bin/polyfills.mjs --import tsx bench/assess/one-assessment.ts <devices> <runs> <seed> <workers>
import { fileURLToPath } from 'node:url';
import { readReleaseFile } from '#cli/target/release-file.ts';
import { assess } from '#local/assess/assessment.ts';

const [devices, runs, seed, workers] = process.argv.slice(2, 6).map(Number) as [number, number, number, number];
const file = fileURLToPath(new URL('../../examples/release.yaml', import.meta.url));
const request = await readReleaseFile(file);
const started = performance.now();
const finished: number[] = [];
const assessment = await assess(request, { devices, runs, seed, workers, scenarios: ['healthy'], baseDir: fileURLToPath(new URL('../../examples/', import.meta.url)), onRun: () => finished.push((performance.now() - started) / 1000) });
process.stdout.write(`${JSON.stringify({ runs: finished.length, promoted: assessment.scenarios[0]!.promoted.count, firstSeconds: finished[0], lastSeconds: finished[finished.length - 1], wallSeconds: assessment.wallSeconds })}\n`);
