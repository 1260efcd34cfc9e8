// Progress bars while `ota-release simulate` runs: one per job (stages, then rollbacks), filled by executions that
// have ended, with the counters beside them. Drawn only on a TTY, never with --json or --quiet.
import cliProgress from 'cli-progress';
import { formatDuration } from '#domain/duration.ts';
import { formatCount } from '#domain/percent.ts';
import type { LocalCloud } from '#local/local-cloud.ts';
import { Exec } from '#local/iot-jobs/execution-status.ts';

export interface ProgressView {
  /** Draws the last frame and gives the terminal back (cursor shown, line wrap on); safe to call twice. */
  stop(): void;
}

export function showSimulationProgress(cloud: LocalCloud, stream: NodeJS.WriteStream = process.stdout): ProgressView {
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      format: ' {job} |{bar}| {value}/{total} ended · ✓ {ok} ✗ {bad} · {state}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      fps: 10,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const clock = multibar.create(1, 0, { job: 'virtual time'.padEnd(18), ok: '', bad: '', state: '' }, { format: ' {job} {state}' });
  const bars = new Map<string, cliProgress.SingleBar>();
  const update = () => {
    clock.update(0, { state: `${formatDuration(Math.round(cloud.scheduler.elapsedMs() / 1000))} · ${formatCount(cloud.fleet.stats().deviceEvents)} device events` });
    for (const job of cloud.engine.jobs()) {
      const c = job.counts;
      const ended = c[Exec.SUCCEEDED]! + c[Exec.FAILED]! + c[Exec.REJECTED]! + c[Exec.TIMED_OUT]! + c[Exec.CANCELED]! + c[Exec.REMOVED]!;
      const payload = {
        job: job.jobId.padEnd(18).slice(0, 24),
        ok: c[Exec.SUCCEEDED]!,
        bad: c[Exec.FAILED]! + c[Exec.REJECTED]! + c[Exec.TIMED_OUT]!,
        state: job.jobStatus === 'IN_PROGRESS' ? `${c[Exec.IN_PROGRESS]} in progress, ${c[Exec.QUEUED]} queued` : job.jobStatus,
      };
      let bar = bars.get(job.jobId);
      if (!bar) bars.set(job.jobId, (bar = multibar.create(Math.max(1, job.size), ended, payload)));
      else bar.update(ended, payload);
    }
  };
  const timer = setInterval(update, 100);
  let stopped = false;
  return {
    // Called on Ctrl-C as well as at the end: stopping restores the cursor and line wrap the bars turned off.
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      update();
      multibar.stop();
    },
  };
}
