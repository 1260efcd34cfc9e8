// Every health gate kind in one list: a spec and what the workflow read in, a GateResult out. Pure functions.
// The error budget α = 1 − confidence, with gates:
// - wrong rollbacks: any test that fails an acceptable release rolls it back, so the tests share α (a union bound):
//   the install test keeps half, the statistical gates (rate, silence) split the other half equally;
// - wrong promotions: a release is promoted only when every test passes it, so a release bad in one respect is
//   promoted only if that respect's test passes it: each test keeps the whole α, and the bound holds per respect.
import type { HealthBucket, HealthReading } from '#ports/health-signals.ts';
import { evaluateAlarmGate } from './alarm.ts';
import type { GateResult } from './gate-result.ts';
import type { HealthGateSpec } from './gate-spec.ts';
import { evaluateRateGate } from './rate-ratio.ts';
import { evaluateSilenceGate } from './silence.ts';

export interface GateInputs {
  reading: HealthReading;
  /** Devices that have reported SUCCEEDED so far. */
  succeeded: number;
  /** Devices that had reported SUCCEEDED this many seconds ago (the stage's earlier looks tell). */
  succeededBefore(secondsAgo: number): number;
  reportEverySeconds: number;
  maxFailureRate: number;
  unacceptableFailureRate: number;
  budgets: GateBudgets;
}

/** Each statistical gate's bounds: on a wrong rollback (its share) and on a wrong promotion (the whole α). */
export interface GateBudgets {
  rollback: number;
  promote: number;
}

const STATISTICAL: ReadonlySet<HealthGateSpec['kind']> = new Set(['rate', 'silence']);

export function statisticalGateCount(gates: readonly HealthGateSpec[]): number {
  return gates.filter((gate) => STATISTICAL.has(gate.kind)).length;
}

/** The install test's and each statistical gate's bounds on wrong rollbacks, and the bound on wrong promotions. */
export function errorBudgets(confidence: number, gates: readonly HealthGateSpec[]): { installRollback: number; gate: GateBudgets } {
  const alpha = 1 - confidence;
  const statistical = statisticalGateCount(gates);
  if (statistical === 0) return { installRollback: alpha, gate: { rollback: 0, promote: alpha } };
  return { installRollback: alpha / 2, gate: { rollback: alpha / 2 / statistical, promote: alpha } };
}

/** The policy the install test runs at: the release's, its rollback line at the install test's share. */
export function installTestPolicy<P extends { confidence: number; gates: readonly HealthGateSpec[] }>(health: P): P & { rollbackConfidence: number } {
  return { ...health, rollbackConfidence: 1 - errorBudgets(health.confidence, health.gates).installRollback };
}

export function evaluateGates(gates: readonly HealthGateSpec[], inputs: GateInputs): GateResult[] {
  return gates.map((gate) => {
    switch (gate.kind) {
      case 'rate':
        return evaluateRateGate(gate, inputs.reading.buckets, inputs.budgets);
      case 'silence': {
        const graceSeconds = gate.afterReports * inputs.reportEverySeconds;
        const dueBack = Math.min(inputs.succeeded, inputs.succeededBefore(graceSeconds));
        const returned = sum(inputs.reading.buckets, 'returned');
        const rates = { maxFailureRate: inputs.maxFailureRate, unacceptableFailureRate: inputs.unacceptableFailureRate };
        return evaluateSilenceGate(gate, { dueBack, notYetDue: inputs.succeeded - dueBack, graceSeconds, returned, ...rates }, inputs.budgets);
      }
      case 'alarm':
        return evaluateAlarmGate(gate, inputs.reading.alarms);
    }
  });
}

/** A treatment total over the read periods. */
export function sum(buckets: readonly HealthBucket[], field: 'returned' | 'reverted'): number {
  return buckets.reduce((total, bucket) => total + bucket.treatment[field], 0);
}
