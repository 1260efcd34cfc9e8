// Shared pieces of terminal output for the operator commands: tables that fit the terminal, text progress bars,
// percentages and times. Colour only on a TTY (and never with NO_COLOR).
import Table from 'cli-table3';
import { formatDuration } from '#domain/duration.ts';

export interface Terminal {
  columns: number;
  color: boolean;
}

export function terminalOf(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Terminal {
  return { columns: stream.isTTY ? stream.columns || 100 : 120, color: Boolean(stream.isTTY) && env.NO_COLOR === undefined };
}

export function table(head: string[], terminal: Terminal, colWidths?: number[]): InstanceType<typeof Table> {
  return new Table({
    head,
    ...(colWidths && { colWidths }),
    style: { head: terminal.color ? ['cyan'] : [], border: terminal.color ? ['grey'] : [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    wordWrap: true,
  });
}

/**
 * Text from a release file or a person, made safe to print: control characters (escape sequences that would recolour,
 * move the cursor or retitle the terminal, newlines that would break a table) are shown escaped, as `\u001b`.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const SGR = { red: 31, green: 32, yellow: 33, blue: 34, grey: 90, bold: 1 } as const;
export function paint(text: string, style: keyof typeof SGR, terminal: Terminal): string {
  return terminal.color ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text;
}

/** `███████░░░ 70 %`: a share 0..1 as a bar of `width` cells. */
export function bar(share: number, width: number): string {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(share) ? share : 0));
  const filled = Math.round(clamped * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.floor(clamped * 100)} %`;
}

/** A share as the judge writes rates (src/domain/percent.ts): `97 %`, `11.3 %`. Limits: formatLimit. */
export function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** ISO time as `2026-11-24 12:00:05Z`: sortable, unambiguous, short. */
export function when(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

/**
 * A time in a release's life. Real times as `when` does; on the embedded cloud's simulated clock (ReleaseView.clock),
 * as simulated time since the release started, `+2h30m`: the clock started at the real start time and then ran
 * simulated time, so a date would be a moment that has not happened (or happened otherwise).
 */
export function releaseTime(iso: string | undefined, release: { createdAt: string; clock?: 'simulated' }): string {
  if (!iso || release.clock !== 'simulated') return when(iso);
  return `+${formatDuration(Math.max(0, Date.parse(iso) - Date.parse(release.createdAt)) / 1000)}`;
}

/** One line that says how to read a simulated release's times; nothing for real ones. */
export function clockNote(release: { clock?: 'simulated' }): string | undefined {
  return release.clock === 'simulated' ? 'embedded cloud: times after the start are simulated time since it started (+2h = two simulated hours)' : undefined;
}

const STATUS_STYLE: Record<string, keyof typeof SGR> = {
  PROMOTED: 'green', PROMOTE: 'green', approve: 'green', promoted: 'green', complete: 'green',
  ROLLED_BACK: 'red', ROLLBACK: 'red', ROLLING_BACK: 'red', FAILED: 'red', ABORTED: 'red', reject: 'red', 'rolled-back': 'red', canceled: 'red', abort: 'red',
  AWAITING_APPROVAL: 'yellow', HOLD: 'yellow', EXTEND: 'yellow', timeout: 'yellow',
  IN_PROGRESS: 'blue', SIGNING: 'blue', STARTED: 'blue', active: 'blue',
};
export function status(text: string, terminal: Terminal): string {
  const style = STATUS_STYLE[text];
  return style ? paint(text, style, terminal) : text;
}
