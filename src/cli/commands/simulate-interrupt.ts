// Ctrl-C (SIGINT) and SIGTERM during `simulate`: the first one of either becomes an AbortSignal the run stops on, so
// it can restore the terminal and save what exists. Handled once: the listeners go with it, and a second signal
// takes Node's default (the process ends at once), an escape if stopping itself should hang.
export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface Interrupt {
  signal: AbortSignal;
  /** Stops listening (the command has finished). */
  dispose(): void;
}

export function abortOnSignals(target: NodeJS.EventEmitter = process): Interrupt {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    dispose();
    controller.abort(name);
  };
  const dispose = () => {
    for (const name of INTERRUPT_SIGNALS) target.off(name, onSignal);
  };
  for (const name of INTERRUPT_SIGNALS) target.on(name, onSignal);
  return { signal: controller.signal, dispose };
}
