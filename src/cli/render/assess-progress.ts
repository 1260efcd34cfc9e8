// The progress bar of `ota-release assess`: runs done of all runs, the scenario running, and an estimate of the time
// left. On stderr, so stdout stays the result; the command draws it only on a terminal and never with --json.
import cliProgress from 'cli-progress';

export interface AssessProgress {
  update(done: number, total: number, scenario: string): void;
  /** Draws the last frame and gives the terminal back; safe to call twice. */
  stop(): void;
}

export function showAssessProgress(total: number, stream: NodeJS.WriteStream = process.stderr): AssessProgress {
  const bar = new cliProgress.SingleBar(
    { stream, format: ' assess |{bar}| {value}/{total} runs · {scenario} · ETA {eta_formatted}', barsize: 30, hideCursor: true, fps: 10, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { scenario: '' });
  let stopped = false;
  return {
    update: (done, _total, scenario) => bar.update(done, { scenario }),
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
