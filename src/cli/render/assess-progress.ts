// The progress bar of `ota-release assess`: runs done of all runs, the scenario running, and an estimate of the time
// left. On stderr, so stdout stays the result; the command draws it only on a terminal and never with --json.
// The estimate is the command's own (time so far over runs done, times runs left) in the duration format the rest of
// the CLI prints, shown once a run has finished: before that there is nothing to estimate from.
import cliProgress from 'cli-progress';
import { formatDuration } from '#domain/duration.ts';

export interface AssessProgress {
  update(done: number, total: number, scenario: string): void;
  /** Draws the last frame and gives the terminal back; safe to call twice. */
  stop(): void;
}

export function showAssessProgress(total: number, stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()): AssessProgress {
  const bar = new cliProgress.SingleBar(
    { stream, format: ' assess |{bar}| {value}/{total} runs · {scenario} · {left}', barsize: 30, hideCursor: true, fps: 10 },
    cliProgress.Presets.shades_classic,
  );
  const started = now();
  bar.start(total, 0, { scenario: 'starting', left: 'ETA …' });
  let stopped = false;
  return {
    update: (done, _total, scenario) => bar.update(done, { scenario, left: `ETA ${formatDuration(((now() - started) / 1000 / done) * (total - done))}` }),
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
