// The alarm gate: a CloudWatch alarm the release names. ALARM fails it at once (the team's own definition of "this
// is broken", e.g. error rates in the backend the devices call); OK and INSUFFICIENT_DATA (no data is not trouble)
// pass; an alarm that does not exist cannot vouch for anything, so it leaves the gate inconclusive for a person.
import { GateStatus, type AlarmGateEvidence, type GateResult } from './gate-result.ts';
import { gateNameOf, type AlarmGateSpec } from './gate-spec.ts';
import type { AlarmState } from '#ports/health-signals.ts';

export function evaluateAlarmGate(spec: AlarmGateSpec, alarms: readonly AlarmState[]): GateResult {
  const alarm = alarms.find((a) => a.name === spec.alarmName) ?? { name: spec.alarmName, state: 'MISSING' as const };
  const evidence: AlarmGateEvidence = { kind: 'alarm', alarmName: spec.alarmName, state: alarm.state, ...(alarm.reason ? { reason: alarm.reason } : {}), ...(alarm.since ? { since: alarm.since } : {}) };
  const base = { name: gateNameOf(spec), kind: 'alarm' as const, critical: spec.critical, evidence };
  const why = alarm.reason ? `: ${alarm.reason}` : '';
  switch (alarm.state) {
    case 'ALARM':
      return { ...base, status: GateStatus.FAIL, reason: `CloudWatch alarm ${spec.alarmName} is in ALARM${why}` };
    case 'OK':
      return { ...base, status: GateStatus.PASS, reason: `CloudWatch alarm ${spec.alarmName} is OK` };
    case 'INSUFFICIENT_DATA':
      return { ...base, status: GateStatus.PASS, reason: `CloudWatch alarm ${spec.alarmName} has insufficient data, so it is not in ALARM` };
    case 'MISSING':
      return { ...base, status: GateStatus.INCONCLUSIVE, reason: `there is no CloudWatch alarm named ${spec.alarmName}, so it cannot vouch for the release (check the name in the release file)` };
  }
}
