// Every health gate kind in one list: a spec and what the workflow read in, a GateResult out. Pure functions.
// The statistical gates (rate, silence) each get an equal share of the release's error budget with the install
// test, so the confidence the policy states still bounds a wrong rollback (or promotion) over all of them together
// (a union bound: each test's chance of a wrong call is at most its share).
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
  /** The share of the error budget each statistical test gets (errorBudgetShare). */
  errorBudget: number;
}

const STATISTICAL: ReadonlySet<HealthGateSpec['kind']> = new Set(['rate', 'silence']);

/** How many tests share the error budget: the install test and every statistical gate. */
export function testsSharingBudget(gates: readonly HealthGateSpec[]): number {
  return 1 + gates.filter((gate) => STATISTICAL.has(gate.kind)).length;
}

/** Each test's share of 1 − confidence. */
export function errorBudgetShare(confidence: number, gates: readonly HealthGateSpec[]): number {
  return (1 - confidence) / testsSharingBudget(gates);
}

/** The policy the install test runs at: the release's, with the install test's share of the error budget. */
export function installTestPolicy<P extends { confidence: number; gates: readonly HealthGateSpec[] }>(health: P): P {
  return { ...health, confidence: 1 - errorBudgetShare(health.confidence, health.gates) };
}

export function evaluateGates(gates: readonly HealthGateSpec[], inputs: GateInputs): GateResult[] {
  return gates.map((gate) => {
    switch (gate.kind) {
      case 'rate':
        return evaluateRateGate(gate, inputs.reading.buckets, inputs.errorBudget);
      case 'silence': {
        const graceSeconds = gate.afterReports * inputs.reportEverySeconds;
        const dueBack = Math.min(inputs.succeeded, inputs.succeededBefore(graceSeconds));
        const returned = sum(inputs.reading.buckets, 'returned');
        const rates = { maxFailureRate: inputs.maxFailureRate, unacceptableFailureRate: inputs.unacceptableFailureRate };
        return evaluateSilenceGate(gate, { dueBack, notYetDue: inputs.succeeded - dueBack, graceSeconds, returned, ...rates }, inputs.errorBudget);
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
