// Task tokens of waitForTaskToken states, and the callbacks that answer them (SendTaskSuccess / SendTaskFailure).
// A wait ends on an answer, on its timeout (virtual time, error `States.Timeout`, as Step Functions names it), or
// when the execution stops. A closed token answers TaskClosedError; an unknown one InvalidTokenError.
import { InvalidTokenError, TaskClosedError } from '#ports/errors.ts';
import type { WorkflowCallbacks } from '#ports/workflow.ts';
import type { Scheduler } from '../time/scheduler.ts';

interface Waiter {
  execution: string;
  resolve(output: unknown): void;
  reject(error: Error): void;
  timer: number | undefined;
}

/** An error carrying a Step Functions error name (`States.Timeout`, `ApprovalRejected`, …), which Catch matches. */
export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export class TaskTokens implements WorkflowCallbacks {
  private readonly waiters = new Map<string, Waiter>();
  private readonly closed = new Set<string>();
  private readonly closeListeners = new Map<string, Array<() => void>>();
  private issued = 0;

  constructor(private readonly scheduler: Scheduler) {}

  /** A fresh token for a task state of `execution`. */
  issue(execution: string): string {
    const n = ++this.issued;
    return `local-task-${execution}-${n.toString(36)}-${((n * 2654435761) >>> 0).toString(16)}`;
  }

  /**
   * Waits for `token` to be answered. `onPark` runs when the wait begins (the runner lets time move),
   * `onResume` right before the wait ends (the runner holds time again).
   */
  wait(execution: string, token: string, timeoutSeconds: number | undefined, hooks: { onPark(): void; onResume(): void }): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        execution,
        resolve: (output) => {
          hooks.onResume();
          resolve(output);
        },
        reject: (error) => {
          hooks.onResume();
          reject(error);
        },
        timer: undefined,
      };
      if (timeoutSeconds !== undefined && Number.isFinite(timeoutSeconds)) {
        waiter.timer = this.scheduler.after(timeoutSeconds * 1000, () => {
          if (this.close(token) === waiter) waiter.reject(namedError('States.Timeout', 'the task timed out'));
        });
      }
      this.waiters.set(token, waiter);
      hooks.onPark();
    });
  }

  async succeed(token: string, output: unknown): Promise<void> {
    const waiter = this.take(token);
    // Output goes through JSON as SendTaskSuccess's string output would.
    waiter.resolve(JSON.parse(JSON.stringify(output ?? null)));
  }

  async fail(token: string, error: string, cause: string): Promise<void> {
    this.take(token).reject(namedError(error, cause));
  }

  /** True while someone could still answer the token. */
  isOpen(token: string): boolean {
    return this.waiters.has(token);
  }

  /** Runs `listener` once the token closes (answered, timed out or abandoned); at once if it already has. */
  onClosed(token: string, listener: () => void): void {
    if (!this.waiters.has(token)) return listener();
    let list = this.closeListeners.get(token);
    if (!list) this.closeListeners.set(token, (list = []));
    list.push(listener);
  }

  /** Ends every wait of a stopped execution; their tokens answer TaskClosedError from now on. */
  abandon(execution: string): void {
    for (const [token, waiter] of [...this.waiters]) {
      if (waiter.execution !== execution) continue;
      this.close(token);
      // Settle the wait, so the task state (and its real-time timer in the library) ends with the stopped execution.
      waiter.reject(namedError('States.Aborted', 'the execution was stopped'));
    }
  }

  private take(token: string): Waiter {
    const waiter = this.close(token);
    if (waiter) return waiter;
    if (this.closed.has(token)) throw new TaskClosedError('the task token has either expired or the task associated with the token has already been closed');
    throw new InvalidTokenError('the provided token is not valid');
  }

  private close(token: string): Waiter | undefined {
    const waiter = this.waiters.get(token);
    if (!waiter) return undefined;
    this.waiters.delete(token);
    this.closed.add(token);
    if (waiter.timer !== undefined) this.scheduler.cancel(waiter.timer);
    const listeners = this.closeListeners.get(token) ?? [];
    this.closeListeners.delete(token);
    for (const listener of listeners) listener();
    return waiter;
  }
}
