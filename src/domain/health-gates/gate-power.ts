// What `validate` says of each health gate before a release runs: how much exposure a rate gate needs to reach a
// verdict at a few true ratios, and so how long each stage must run for it. Wald's approximation for the expected
// sample size of a sequential probability ratio test (Wald 1945, "Sequential tests of statistical hypotheses", §4):
// the expected time to a line is the line's height over the expected drift of ln Λ, overshoot ignored (and the chance
// of ending at the other line). With the new
// version on a small share of the fleet (Eₜ ≪ E꜀), one treatment device-hour moves ln Λ on average by
//   λ · D(ρ),  D(ρ) = ρ · ln(ρ₁/ρ₀) − (ρ₁ − ρ₀)
// at true ratio ρ and control rate λ: up (towards FAIL) when D > 0, down (towards PASS) when D < 0. So the exposure
// needed is ln(1/α) / (λ · |D(ρ)|) device-hours (α the line's budget): a count of "events at the control's rate",
// whatever λ is.
import { formatDuration } from '../duration.ts';
import { formatCount, formatLimit } from '../percent.ts';
import { errorBudgets, type GateBudgets, statisticalGateCount } from './gates.ts';
import { gateNameOf, type HealthGateSpec, type RateGateSpec } from './gate-spec.ts';
import { unacceptableRatioOf } from './rate-ratio.ts';

export interface GateStageView {
  name: string;
  /** Devices on the new version once the stage has rolled out (all stages so far), when known. */
  devices?: number;
  bakeSeconds: number;
}

export interface GatePlanInputs {
  gates: readonly HealthGateSpec[];
  confidence: number;
  reportEverySeconds: number;
  warmUpSeconds: number;
  maxFailureRate: number;
  unacceptableFailureRate: number;
  stages: readonly GateStageView[];
  /** Whether the last stage reaches the whole fleet (no control remains). */
  lastStageReachesAll: boolean;
}

/** Lines for `validate`, one block per gate, most useful first. */
export function describeGatePlan(inputs: GatePlanInputs): string[] {
  if (inputs.gates.length === 0) return [];
  const budgets = errorBudgets(inputs.confidence, inputs.gates);
  const gatesSharing = statisticalGateCount(inputs.gates);
  const alpha = formatLimit(1 - inputs.confidence);
  const lines = [
    gatesSharing > 0
      ? `wrong rollbacks: the install test and ${gatesSharing} statistical gate${gatesSharing === 1 ? '' : 's'} share the ${alpha} budget (installs ${formatLimit(budgets.installRollback)}, each gate ${formatLimit(budgets.gate.rollback)}); wrong promotions: each test at most ${alpha}, so a release bad in any one respect is promoted at most ${alpha} of the time`
      : 'alarm gates only: the install test keeps the whole error budget',
    inputs.warmUpSeconds > 0
      ? `devices report every ${formatDuration(inputs.reportEverySeconds)}; the first ${formatDuration(inputs.warmUpSeconds)} after an update do not count towards rate gates`
      : `devices report every ${formatDuration(inputs.reportEverySeconds)}; every report counts towards rate gates (no warm-up)`,
  ];
  for (const gate of inputs.gates) {
    const name = gateNameOf(gate);
    switch (gate.kind) {
      case 'rate':
        lines.push(...describeRateGate(name, gate, budgets.gate, inputs));
        break;
      case 'silence':
        lines.push(
          `${name}: a device that reports SUCCEEDED and sends no health report within ${formatDuration(gate.afterReports * inputs.reportEverySeconds)} did not come back; the share not back is judged like installs (acceptable ${formatLimit(inputs.maxFailureRate)}, unacceptable ${formatLimit(inputs.unacceptableFailureRate)}), and a failure ${gate.critical ? 'rolls back' : 'asks a person'}`,
        );
        break;
      case 'alarm':
        lines.push(`${name}: CloudWatch alarm ${gate.alarmName} in ALARM ${gate.critical ? 'rolls the release back at the next look' : 'asks a person at the next look'}`);
        break;
    }
  }
  return lines;
}

/** Gates that cannot reach a verdict within a stage's bake, whatever the devices do. */
export function gateWarnings(inputs: Pick<GatePlanInputs, 'gates' | 'reportEverySeconds' | 'warmUpSeconds' | 'stages'>): string[] {
  const warnings: string[] = [];
  const shortest = Math.min(...inputs.stages.map((stage) => stage.bakeSeconds));
  if (inputs.gates.some((gate) => gate.kind === 'rate') && inputs.warmUpSeconds >= shortest) {
    warnings.push(`health.warmUp (${formatDuration(inputs.warmUpSeconds)}) is at least the shortest bake (${formatDuration(shortest)}): a rate gate has no steady exposure in such a stage before its bake ends, so it can only extend it or ask a person`);
  }
  for (const gate of inputs.gates) {
    if (gate.kind !== 'silence') continue;
    const grace = gate.afterReports * inputs.reportEverySeconds;
    if (grace >= shortest) {
      warnings.push(`health gate ${gateNameOf(gate)} waits ${formatDuration(grace)} (${gate.afterReports} × reportEvery) before a device counts as not back, at least the shortest bake (${formatDuration(shortest)}): it cannot decide within that bake`);
    }
  }
  return warnings;
}

/** Wald's drift factor D(ρ) (see above). */
export function rateGateDrift(ratio: number, spec: Pick<RateGateSpec, 'maxRatio' | 'unacceptableRatio'>): number {
  const high = unacceptableRatioOf(spec);
  return ratio * Math.log(high / spec.maxRatio) - (high - spec.maxRatio);
}

/** Expected exposure to a verdict, in events at the control's rate (multiply by 1/λ for device-hours). */
export function eventsToVerdict(ratio: number, spec: Pick<RateGateSpec, 'maxRatio' | 'unacceptableRatio'>, budgets: GateBudgets): { verdict: 'FAIL' | 'PASS'; events: number } | undefined {
  const drift = rateGateDrift(ratio, spec);
  if (Math.abs(drift) < 1e-9) return undefined;
  const budget = drift > 0 ? budgets.rollback : budgets.promote;
  return { verdict: drift > 0 ? 'FAIL' : 'PASS', events: Math.log(1 / budget) / Math.abs(drift) };
}

function describeRateGate(name: string, gate: RateGateSpec, budgets: GateBudgets, inputs: GatePlanInputs): string[] {
  const high = unacceptableRatioOf(gate);
  const lines = [
    `${name}: ${gate.metric} per device-hour on the new version against devices still on the previous one; acceptable up to ${gate.maxRatio}×, unacceptable from ${high}×${gate.critical ? '' : ' (not critical: a failure asks a person)'}`,
  ];
  const ratios = [...new Set([1, gate.maxRatio, high, 2 * high])].sort((a, b) => a - b);
  for (const ratio of ratios) {
    const need = eventsToVerdict(ratio, gate, budgets);
    if (!need) {
      lines.push(`  - at ${ratio}×: the test drifts neither way; only a person or the bound on extensions ends it`);
      continue;
    }
    const exposure = gate.baselinePerDeviceHour
      ? `about ${formatCount(Math.round(need.events / gate.baselinePerDeviceHour))} device-hours at ${gate.baselinePerDeviceHour} ${gate.metric} per device-hour${stageTimes(need.events / gate.baselinePerDeviceHour, inputs)}`
      : `exposure worth about ${need.events.toFixed(1)} ${gate.metric} at the previous version's rate (set baselinePerDeviceHour to see it in hours per stage)`;
    lines.push(`  - at ${ratio}× it ${need.verdict === 'FAIL' ? 'fails' : 'passes'} after ${exposure}`);
  }
  if (inputs.lastStageReachesAll) {
    lines.push('  - the last stage leaves no device on the previous version: it is judged on this gate only while some remain, and the earlier stages stand');
  }
  return lines;
}

/** "; canary 1h30m after its warm-up, early 12m, …" for stages whose size is known. */
function stageTimes(deviceHours: number, inputs: GatePlanInputs): string {
  const parts = inputs.stages.flatMap((stage) => {
    if (!stage.devices) return [];
    const seconds = Math.ceil((deviceHours / stage.devices) * 3600);
    const fits = seconds + inputs.warmUpSeconds <= stage.bakeSeconds ? '' : ' (longer than its bake)';
    return [`${stage.name} ${formatDuration(seconds)}${fits}`];
  });
  return parts.length === 0 ? '' : `: ${parts.join(', ')} after the warm-up`;
}
