// Ctrl-C (SIGINT) and SIGTERM during `simulate` and `assess`: the first one of either becomes an AbortSignal the run
// stops on, so it can restore the terminal and save what exists. A second one is the escape if stopping itself should
// hang: the process ends at once (exit 130), but first gives the terminal back (the cursor a progress bar hid, line
// wrapping), which Node's default for the signal would not.
export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** 128 + SIGINT's number, as a shell reports a process a Ctrl-C ended. */
const INTERRUPTED = 130;

export interface Interrupt {
  signal: AbortSignal;
  /** Stops listening (the command has finished). */
  dispose(): void;
}

export function abortOnSignals(target: NodeJS.EventEmitter = process, forceExit: () => void = exitRestoringTerminal): Interrupt {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      dispose();
      forceExit();
      return;
    }
    controller.abort(name);
  };
  const dispose = () => {
    for (const name of INTERRUPT_SIGNALS) target.off(name, onSignal);
  };
  for (const name of INTERRUPT_SIGNALS) target.on(name, onSignal);
  return { signal: controller.signal, dispose };
}

function exitRestoringTerminal(): void {
  for (const stream of [process.stderr, process.stdout]) {
    // Show the cursor, wrap lines again, and leave the prompt on a line of its own.
    if (stream.isTTY) stream.write('\u001b[?25h\u001b[?7h\n');
  }
  process.exit(INTERRUPTED);
}
