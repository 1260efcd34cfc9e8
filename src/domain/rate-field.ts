// A rate as people write it in release files: `2%`, `2.5 %` or a fraction such as 0.02; always a fraction after parsing.
import { z } from 'zod';

/** `2%`, `2.5 %` or a fraction such as 0.02; always a fraction after parsing. */
export const fraction = z.union([z.number(), z.string()], { error: 'expected a rate like 2% or 0.02' }).transform((value, ctx) => {
  const parsed = typeof value === 'number' ? value : /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value)?.[1];
  const result = typeof value === 'number' ? value : parsed === undefined ? Number.NaN : Number(parsed) / 100;
  if (!Number.isFinite(result) || result < 0 || result > 1) {
    ctx.addIssue({ code: 'custom', message: `expected a rate like 2% or 0.02, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return result;
});
