// The update's progress events: the nRF Connect SDK FOTA library's set, so a device team recognises them.

export const ProgressEventType = {
  /** A download has begun (or resumed after a restart of the agent). */
  START: 'START',
  /** More bytes arrived; `percent` is whole percent of the declared size. */
  DL_PROGRESS: 'DL_PROGRESS',
  /** The inactive slot is about to be erased to take the new image. */
  ERASE_PENDING: 'ERASE_PENDING',
  /** The inactive slot is empty and ready. */
  ERASE_DONE: 'ERASE_DONE',
  /** Every declared byte is in the slot. */
  DONE: 'DONE',
  /** The update step failed; `error` says why. */
  ERROR: 'ERROR',
} as const;
export type ProgressEventType = (typeof ProgressEventType)[keyof typeof ProgressEventType];

export interface ProgressEvent {
  type: ProgressEventType;
  bytes?: number;
  total?: number;
  percent?: number;
  error?: Error;
}

export type ProgressListener = (event: ProgressEvent) => void;
