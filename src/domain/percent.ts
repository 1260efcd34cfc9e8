// How numbers read in reasons and plans: an observed rate with one decimal (`4.0 %`), a limit as written (`2 %`,
// `2.5 %`), counts with thousands separators and nouns that agree with them. Always 'en-US', never the machine's
// locale: the same evidence reads the same everywhere, and the domain reads nothing from its environment.

/** An observed rate: one decimal, so 0.04 → `4.0 %`. */
export function formatRate(rate: number): string {
  return `${(rate * 100).toFixed(1)} %`;
}

/** A policy limit: as few decimals as it needs, so 0.02 → `2 %`, 0.025 → `2.5 %`. */
export function formatLimit(rate: number): string {
  return `${Number((rate * 100).toFixed(2))} %`;
}

// One formatter for every count: Number#toLocaleString builds a new one per call, which the judge felt at every look.
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** A count with thousands separators: 10000 → `10,000`. */
export function formatCount(count: number): string {
  return COUNT.format(count);
}

/** A count with its noun, agreeing: 1 → `1 device`, 4000 → `4,000 devices`; `plural` for irregular nouns. */
export function formatQuantity(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : plural}`;
}

/** Device-hours of exposure: whole hours with separators from 100 up (`16,602`), one decimal below (`56.6`). */
export function formatHours(hours: number): string {
  return hours >= 100 ? formatCount(Math.round(hours)) : hours.toFixed(1);
}
