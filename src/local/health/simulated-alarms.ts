// CloudWatch alarms in the embedded cloud, for `simulate --alarm NAME[@AFTER]`: the alarms a release's gates name
// exist and are OK (a simulated account has them; a real one must, or the gate stays inconclusive with MISSING), and
// each one named on the command line goes into ALARM at the start or after that much virtual time.
import { parseDuration } from '#domain/duration.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { LocalOptionsError } from '../errors.ts';
import type { Scheduler } from '../time/scheduler.ts';
import type { LocalHealthMetrics } from './health-metrics.ts';

export interface AlarmTrigger {
  name: string;
  afterSeconds: number;
}

/** `api-5xx` (in ALARM from the start) or `api-5xx@3h` (after three virtual hours); throws with a plain message. */
export function parseAlarmTrigger(text: string): AlarmTrigger {
  const at = text.lastIndexOf('@');
  const name = at < 0 ? text : text.slice(0, at);
  const after = at < 0 ? 0 : parseDuration(text.slice(at + 1));
  if (!name || name.length > 255) throw new Error('expected an alarm name, optionally with @<duration> such as api-5xx@3h');
  if (after === undefined) throw new Error(`expected a duration after @, such as 30m or 3h, got "${text.slice(at + 1)}"`);
  return { name, afterSeconds: after };
}

export function simulateAlarms(health: LocalHealthMetrics, scheduler: Scheduler, request: ReleaseRequest, triggers: readonly AlarmTrigger[]): void {
  const named = request.health.gates.flatMap((gate) => (gate.kind === 'alarm' ? [gate.alarmName] : []));
  for (const trigger of triggers) {
    if (!named.includes(trigger.name)) {
      throw new LocalOptionsError(`--alarm ${trigger.name}: the release has no alarm gate on it (${named.length ? `it names ${named.join(', ')}` : 'it names no alarm'})`);
    }
  }
  for (const name of named) health.setAlarm(name, 'OK');
  for (const trigger of triggers) {
    const raise = () => health.setAlarm(trigger.name, 'ALARM', `set by simulate --alarm ${trigger.name}${trigger.afterSeconds ? ` after ${trigger.afterSeconds} s` : ''}`);
    if (trigger.afterSeconds === 0) raise();
    else scheduler.after(trigger.afterSeconds * 1000, raise);
  }
}
