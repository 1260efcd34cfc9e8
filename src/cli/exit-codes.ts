// Exit statuses every command keeps to, so scripts can branch on them.
export const ExitCode = {
  /** Done; for a release: PROMOTED. */
  OK: 0,
  /** Something unexpected broke; the message says what. */
  ERROR: 1,
  /** Bad input (release file, flags); nothing was started. */
  BAD_INPUT: 2,
  /** The release ended ROLLED_BACK (or was rejected, or aborted). */
  ROLLED_BACK: 3,
  /** `assess`: the policy does not meet the release file's budget, or the runs cannot tell that it does. */
  BUDGET_NOT_MET: 4,
  /** Stopped by SIGINT or SIGTERM (128 + 2, as shells report Ctrl-C); what existed was saved with --keep. */
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
