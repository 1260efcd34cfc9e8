// EventBridge event patterns, the subset the project's rules use and a little more: exact values (a list means
// "any of"), nested objects, and the operators prefix, suffix, anything-but, exists, equals-ignore-case, numeric.
// Anything else is refused loudly rather than matched wrongly.
// `optimistic` matching treats a field the event does not carry as a possible match: the IoT rule asks "could any
// rule want an event of this kind?" from a skeleton event before it builds (or relays) the real payload.
import { UnsupportedDefinitionError } from '../errors.ts';

export type EventPattern = { [key: string]: unknown };

export function matchesPattern(pattern: EventPattern, event: unknown, optimistic = false): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const record = event as Record<string, unknown>;
  for (const [key, expected] of Object.entries(pattern)) {
    const present = Object.hasOwn(record, key);
    const value = record[key];
    if (Array.isArray(expected)) {
      if (!present && optimistic) continue;
      if (!matchesAny(expected, value, present)) return false;
    } else if (typeof expected === 'object' && expected !== null) {
      if (!present) {
        if (optimistic) continue;
        return false;
      }
      if (!matchesPattern(expected as EventPattern, value, optimistic)) return false;
    } else {
      throw new UnsupportedDefinitionError(`event pattern field "${key}" must be a list or an object, got ${JSON.stringify(expected)}`);
    }
  }
  return true;
}

function matchesAny(alternatives: unknown[], value: unknown, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  return alternatives.some((alternative) => {
    if (alternative !== null && typeof alternative === 'object') return matchesOperator(alternative as Record<string, unknown>, values, present);
    return present && values.some((v) => v === alternative);
  });
}

function matchesOperator(operator: Record<string, unknown>, values: unknown[], present: boolean): boolean {
  const [name, argument] = Object.entries(operator)[0] ?? [];
  switch (name) {
    case 'exists':
      return argument === present;
    case 'prefix':
      return present && values.some((v) => typeof v === 'string' && v.startsWith(String(argument)));
    case 'suffix':
      return present && values.some((v) => typeof v === 'string' && v.endsWith(String(argument)));
    case 'equals-ignore-case':
      return present && values.some((v) => typeof v === 'string' && v.toLowerCase() === String(argument).toLowerCase());
    case 'anything-but': {
      const excluded = Array.isArray(argument) ? argument : [argument];
      return present && values.every((v) => !excluded.includes(v));
    }
    case 'numeric':
      return present && values.some((v) => typeof v === 'number' && numericMatches(argument as unknown[], v));
    default:
      throw new UnsupportedDefinitionError(`event pattern operator "${name}" is not supported by the local event bus`);
  }
}

function numericMatches(conditions: unknown[], value: number): boolean {
  for (let at = 0; at + 1 < conditions.length; at += 2) {
    const bound = conditions[at + 1] as number;
    const ok = { '<': value < bound, '<=': value <= bound, '=': value === bound, '>': value > bound, '>=': value >= bound }[conditions[at] as string];
    if (!ok) return false;
  }
  return true;
}
