// The silence and alarm gates, the error budget's split, and how gate results turn the install verdict.
import { JudgeRule, type Judgement, Verdict } from '#domain/decision.ts';
import { GateStatus, type GateResult } from '#domain/health-gates/gate-result.ts';
import { HealthGateSpec } from '#domain/health-gates/gate-spec.ts';
import { errorBudgets, evaluateGates, installTestPolicy } from '#domain/health-gates/gates.ts';
import { withHealthGates } from '#domain/health-gates/with-gates.ts';
import type { HealthBucket, HealthReading } from '#ports/health-signals.ts';

const gate = (spec: unknown) => HealthGateSpec.parse(spec);
const returnedBucket = (returned: number): HealthBucket => ({
  start: '2026-01-01T00:00:00.000Z',
  treatment: { exposureSeconds: 0, crashes: 0, reboots: 0, returned, reverted: 0 },
  control: { exposureSeconds: 0, crashes: 0, reboots: 0, returned: 0, reverted: 0 },
});
const reading = (returned: number, alarms: HealthReading['alarms'] = []): HealthReading => ({ buckets: [returnedBucket(returned)], alarms });
const inputs = (returned: number, succeeded: number, dueBack: number, alarms: HealthReading['alarms'] = []) => ({
  reading: reading(returned, alarms),
  succeeded,
  succeededBefore: () => dueBack,
  reportEverySeconds: 300,
  maxFailureRate: 0.05,
  unacceptableFailureRate: 0.1,
  budgets: { rollback: 0.05, promote: 0.05 },
});

describe('the silence gate', () => {
  const silence = gate({ kind: 'silence', afterReports: 2 });

  it('fails when many devices due back never sent a report', () => {
    const [result] = evaluateGates([silence], inputs(80, 100, 100));
    expect(result).toMatchObject({ name: 'silence', status: GateStatus.FAIL, evidence: { dueBack: 100, neverCameBack: 20 } });
  });

  it('passes when they all came back', () => {
    expect(evaluateGates([silence], inputs(300, 300, 300))[0]!.status).toBe(GateStatus.PASS);
  });

  it('waits one grace period for devices that succeeded too recently to be due', () => {
    const [result] = evaluateGates([silence], inputs(10, 100, 10));
    expect(result).toMatchObject({ status: GateStatus.INCONCLUSIVE, needSeconds: 600, evidence: { dueBack: 10 } });
  });
});

describe('the alarm gate', () => {
  const alarm = gate({ kind: 'alarm', alarmName: 'api-errors' });
  it.each([
    ['ALARM', GateStatus.FAIL],
    ['OK', GateStatus.PASS],
    ['INSUFFICIENT_DATA', GateStatus.PASS],
  ] as const)('%s → %s', (state, status) => {
    expect(evaluateGates([alarm], inputs(0, 0, 0, [{ name: 'api-errors', state }]))[0]!.status).toBe(status);
  });

  it('never reads a missing alarm as healthy', () => {
    const [result] = evaluateGates([alarm], inputs(0, 0, 0, []));
    expect(result).toMatchObject({ status: GateStatus.INCONCLUSIVE, reason: expect.stringContaining('no CloudWatch alarm named api-errors') });
  });
});

describe('the error budget', () => {
  it('is shared for wrong rollbacks (half for installs, the rest split among statistical gates, none for alarms) and whole for wrong promotions', () => {
    const gates = [gate({ kind: 'rate', metric: 'crashes', maxRatio: 1.2 }), gate({ kind: 'silence' }), gate({ kind: 'alarm', alarmName: 'a' })];
    const budgets = errorBudgets(0.9, gates);
    expect(budgets.installRollback).toBeCloseTo(0.05);
    expect(budgets.gate.rollback).toBeCloseTo(0.025);
    expect(budgets.gate.promote).toBeCloseTo(0.1);
    expect(errorBudgets(0.9, []).installRollback).toBeCloseTo(0.1);
    expect(errorBudgets(0.9, [gate({ kind: 'alarm', alarmName: 'a' })]).installRollback).toBeCloseTo(0.1);
    expect(installTestPolicy({ confidence: 0.9, gates })).toMatchObject({ confidence: 0.9, rollbackConfidence: 0.95 });
  });
});

describe('gates and the install verdict', () => {
  const install = (verdict: Verdict, extra: Partial<Judgement> = {}): Judgement => ({ verdict, rules: [JudgeRule.SEQUENTIAL_PROMOTE], reasons: ['installs fine'], evidence: {} as Judgement['evidence'], ...extra });
  const result = (status: GateResult['status'], critical = true, needSeconds?: number): GateResult => ({
    name: 'crashes-rate',
    kind: 'rate',
    critical,
    status,
    reason: `the gate says ${status}`,
    evidence: { kind: 'alarm', alarmName: 'x', state: 'OK' },
    ...(needSeconds === undefined ? {} : { needSeconds }),
  });
  const policy = { inconclusive: 'extend' as const, maxExtensions: 2, extendBy: 3600 };
  const progress = { bakeSeconds: 7200, extensionsUsed: 0 };

  it('rolls back on a critical failure even mid-bake', () => {
    const judged = withHealthGates(install(Verdict.EXTEND, { extendSeconds: 600, countsAsExtension: false }), [result(GateStatus.FAIL)], policy, progress);
    expect(judged).toMatchObject({ verdict: Verdict.ROLLBACK, rules: [JudgeRule.HEALTH_GATE_FAILED] });
    expect(judged.extendSeconds).toBeUndefined();
  });

  it('asks a person when a non-critical gate fails', () => {
    expect(withHealthGates(install(Verdict.PROMOTE), [result(GateStatus.FAIL, false)], policy, progress).verdict).toBe(Verdict.HOLD);
  });

  it('promotes when the installs and every gate pass', () => {
    const judged = withHealthGates(install(Verdict.PROMOTE), [result(GateStatus.PASS)], policy, progress);
    expect(judged).toMatchObject({ verdict: Verdict.PROMOTE, rules: [JudgeRule.SEQUENTIAL_PROMOTE, JudgeRule.HEALTH_GATES_PASSED] });
  });

  it('extends by the exposure an inconclusive gate needs, at most one bake, then asks a person', () => {
    expect(withHealthGates(install(Verdict.PROMOTE), [result(GateStatus.INCONCLUSIVE, true, 1800)], policy, progress)).toMatchObject({ verdict: Verdict.EXTEND, extendSeconds: 1800, countsAsExtension: true });
    expect(withHealthGates(install(Verdict.PROMOTE), [result(GateStatus.INCONCLUSIVE, true, 99_999)], policy, progress).extendSeconds).toBe(7200);
    expect(withHealthGates(install(Verdict.PROMOTE), [result(GateStatus.INCONCLUSIVE)], policy, progress).extendSeconds).toBe(3600);
    expect(withHealthGates(install(Verdict.PROMOTE), [result(GateStatus.INCONCLUSIVE, true, 1800)], policy, { ...progress, extensionsUsed: 2 }).verdict).toBe(Verdict.HOLD);
  });

  it('leaves an install rollback a rollback, with the gates on record', () => {
    const judged = withHealthGates(install(Verdict.ROLLBACK, { rules: [JudgeRule.SEQUENTIAL_ROLLBACK] }), [result(GateStatus.PASS)], policy, progress);
    expect(judged).toMatchObject({ verdict: Verdict.ROLLBACK, rules: [JudgeRule.SEQUENTIAL_ROLLBACK], gates: [{ status: GateStatus.PASS }] });
  });
});
