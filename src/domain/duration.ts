// Durations as people write them in release files: `90s`, `30m`, `2h`, `1d`, `1h30m`, or a number of seconds.
import { z } from 'zod';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 } as const;
const DURATION = /^(\d+(?:\.\d+)?[smhdw])+$/;
const PART = /(\d+(?:\.\d+)?)([smhdw])/g;

/** Parses `1h30m` into 5400; returns undefined for anything that is not a duration. */
export function parseDuration(text: string): number | undefined {
  const compact = text.trim().replace(/\s+/g, '');
  if (!DURATION.test(compact)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of compact.matchAll(PART)) {
    seconds += Number(amount) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
  }
  return Math.round(seconds);
}

/** Formats seconds the way a person would write them back: 5400 → `1h30m`. */
export function formatDuration(totalSeconds: number): string {
  if (totalSeconds === 0) return '0s';
  if (totalSeconds < 0) return `-${formatDuration(-totalSeconds)}`;
  const parts: string[] = [];
  let rest = Math.round(totalSeconds);
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const amount = Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount}${unit}`);
    rest -= amount * size;
  }
  return parts.join('');
}

/** A zod field for a duration, in whole seconds after parsing; bounds are inclusive, in seconds. */
export function duration(bounds: { min?: number; max?: number } = {}) {
  const { min = 1, max = 366 * 86400 } = bounds;
  return z
    .union([z.number(), z.string()], { error: 'expected a duration like 30m, 2h or 1d' })
    .transform((value, ctx) => {
      const seconds = typeof value === 'number' ? value : parseDuration(value);
      // `-2h` or -7200: a duration, but one that runs backwards; say so rather than "not a duration".
      if ((typeof value === 'number' && value < 0) || (typeof value === 'string' && /^\s*-/.test(value) && parseDuration(value.trim().slice(1)) !== undefined)) {
        ctx.addIssue({ code: 'custom', message: `a duration cannot be negative, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      if (seconds === undefined || !Number.isFinite(seconds)) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 30m, 2h or 1d, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      if (seconds < min || seconds > max) {
        ctx.addIssue({ code: 'custom', message: `expected a duration between ${formatDuration(min)} and ${formatDuration(max)}, got ${formatDuration(seconds)}` });
        return z.NEVER;
      }
      return seconds;
    });
}
