// The silence gate: devices that reported SUCCEEDED and then never sent a health report ("never came back": bricked
// after the final report, lost their network config, boot-looping before the agent starts). Among the devices due
// back (SUCCEEDED at least `afterReports` report periods ago), the share that has not come back is judged by the
// install test's sequential test (same acceptable and unacceptable rates, the gate's share of the error budget).
import { logLikelihoodRatio } from '../sequential-test.ts';
import { formatCount, formatLimit, formatQuantity } from '../percent.ts';
import { GateStatus, type GateResult, type SilenceGateEvidence } from './gate-result.ts';
import { gateNameOf, type SilenceGateSpec } from './gate-spec.ts';
import type { GateBudgets } from './gates.ts';

export interface SilenceInputs {
  /** Devices that reported SUCCEEDED at least afterReports × reportEvery ago. */
  dueBack: number;
  /** Devices whose first report after the update arrived during the stage. */
  returned: number;
  /** Devices that reported SUCCEEDED more recently: due back within `graceSeconds`. */
  notYetDue: number;
  /** afterReports × the report period: how long a device has to come back. */
  graceSeconds: number;
  maxFailureRate: number;
  unacceptableFailureRate: number;
}

export function evaluateSilenceGate(spec: SilenceGateSpec, inputs: SilenceInputs, budgets: GateBudgets): GateResult {
  // Returns are counted per version over the stage's time, not per device, so a device that came back early can
  // stand in for one that did not: the count errs towards leniency, never towards a false alarm.
  const neverCameBack = Math.max(0, inputs.dueBack - inputs.returned);
  const llr = logLikelihoodRatio(neverCameBack, inputs.dueBack, { maxFailureRate: inputs.maxFailureRate, unacceptableFailureRate: inputs.unacceptableFailureRate });
  const evidence: SilenceGateEvidence = {
    kind: 'silence',
    dueBack: inputs.dueBack,
    neverCameBack,
    rollbackErrorBudget: budgets.rollback,
    promoteErrorBudget: budgets.promote,
    logLikelihoodRatio: llr,
    failThreshold: -Math.log(budgets.rollback),
    passThreshold: Math.log(budgets.promote),
  };
  const base = { name: gateNameOf(spec), kind: 'silence' as const, critical: spec.critical, evidence };
  const counts = inputs.dueBack === 0 ? 'no device is due back yet' : `${formatCount(neverCameBack)} of ${formatQuantity(inputs.dueBack, 'device')} due back sent no health report after the update`;
  const bound = (budget: number) => `at ${formatLimit(1 - budget)} confidence over every look`;
  if (llr >= evidence.failThreshold) return { ...base, status: GateStatus.FAIL, reason: `${counts}: above the ${formatLimit(inputs.maxFailureRate)} limit ${bound(budgets.rollback)}` };
  if (llr <= evidence.passThreshold) return { ...base, status: GateStatus.PASS, reason: `${counts}: below the unacceptable ${formatLimit(inputs.unacceptableFailureRate)} ${bound(budgets.promote)}` };
  // More devices fall due within one grace period: that is the wait worth taking before asking again.
  const needSeconds = inputs.notYetDue > 0 ? { needSeconds: inputs.graceSeconds } : {};
  return { ...base, status: GateStatus.INCONCLUSIVE, reason: `${counts}: too few devices due back yet to tell ${formatLimit(inputs.maxFailureRate)} from ${formatLimit(inputs.unacceptableFailureRate)}`, ...needSeconds };
}
