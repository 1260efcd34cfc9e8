// One short line per gate result for people (status, the simulate summary, notices): what it measured and where it
// stands, without the full reason (which the verdict's reasons keep).
import { formatCount, formatHours, formatQuantity } from '../percent.ts';
import type { GateResult } from './gate-result.ts';

export function describeGate(result: GateResult): string {
  const { evidence } = result;
  const head = `${result.name} ${result.status}`;
  switch (evidence.kind) {
    case 'rate': {
      const ratio = evidence.ratio === null ? 'no ratio yet' : `${evidence.ratio.toFixed(2)}×${evidence.ratioBand ? ` (band ${evidence.ratioBand[0].toFixed(2)}–${formatBound(evidence.ratioBand[1])})` : ''}`;
      const sides = `${formatCount(evidence.treatment.events)} in ${formatHours(evidence.treatment.exposureHours)} device-h new, ${formatCount(evidence.control.events)} in ${formatHours(evidence.control.exposureHours)} old`;
      // "acceptable up to" rather than "limit": the test tells maxRatio from unacceptableRatio, so a ratio a little
      // above maxRatio can pass (it is far from the unacceptable one) without contradicting anything.
      return `${head}: ${evidence.metric} ratio ${ratio}, acceptable up to ${evidence.maxRatio}×, unacceptable from ${evidence.unacceptableRatio}×; ${sides}`;
    }
    case 'silence':
      return evidence.dueBack === 0
        ? `${head}: no device is due back yet`
        : `${head}: ${formatCount(evidence.neverCameBack)} of ${formatQuantity(evidence.dueBack, 'device')} due back never sent a health report`;
    case 'alarm':
      return `${head}: alarm ${evidence.alarmName} ${evidence.state}`;
  }
}

function formatBound(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '∞';
}
