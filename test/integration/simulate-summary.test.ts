// The summary simulate prints, for a fleet so small that later waves are empty.
import { renderSimulationSummary } from '#cli/render/simulation-summary.ts';
import { NO_JOB } from '#local/report.ts';
import { loadRelease, simulate, verdicts } from './simulation-harness.ts';

describe('the simulation summary', () => {
  it('shows an empty wave as having no job, and one device in the singular', async () => {
    // One device: the 10 % canary takes it, the 50 % and 100 % waves are empty.
    const { report } = await simulate(await loadRelease(), { devices: 1 });
    expect(report.stages.map((s) => [s.name, s.counts.targeted, s.jobStatus])).toEqual([
      ['canary', 1, 'COMPLETED'],
      ['half', 0, NO_JOB],
      ['all', 0, NO_JOB],
    ]);
    // The promotion line still applies below minExecuted: a clean 1-device canary holds, and --approve auto answers it.
    expect(verdicts(report).filter((v) => v.startsWith('canary:')).at(-1)).toBe('canary:HOLD');

    const text = renderSimulationSummary(report, { columns: 200, color: false });

    expect(text).toMatch(/│ 2 half\s+│ no job\s+│ 0 /);
    expect(text).toContain('(0 targets)');
    expect(text).not.toContain('UNKNOWN');
    expect(text).toContain('Exposure:  1 of 1 device ever ran the new version (100.0 %)');
    expect(text).not.toMatch(/\d%/);
  });
});
