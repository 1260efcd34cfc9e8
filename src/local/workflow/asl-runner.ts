// The local Step Functions: runs statemachines/staged-release.asl.json with aws-local-stepfunctions, each Task
// answered by the real handler built with the local ports (no second copy of the workflow). Conventions
// (docs/architecture.md):
// - lambda:invoke results are wrapped as `{ Payload }`, which the ASL's ResultSelectors read;
// - waitForTaskToken tasks get a fresh `$$.Task.Token` per state through a context getter; the runner drops
//   TimeoutSecondsPath from an in-memory copy and ends the wait itself on the shared clock with `States.Timeout`;
// - retry intervals pass on the shared clock, not the wall clock: a task that fails with an error its Retry list
//   retries waits IntervalSeconds × BackoffRate^attempt of virtual time (letting go of the clock meanwhile, so the
//   fleet and throttle buckets move on, as they would in AWS), and the interpreter then retries at once;
// - the execution holds the clock while it runs and lets go while it waits for a token.
// aws-local-stepfunctions needs Promise.withResolvers (Node 22); bin/ loads this polyfill too, but a test's module
// realm has its own Promise, so the runner makes sure of it where it runs.
import '../../../bin/polyfills.mjs';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ReleaseRequest } from '#domain/release-request.ts';
import type { ExecutionStatus, ReleaseWorkflow } from '#ports/workflow.ts';
import { UnsupportedDefinitionError } from '../errors.ts';
import type { Scheduler } from '../time/scheduler.ts';
import type { LocalHandlers } from './handlers.ts';
import type { TaskTokens } from './task-tokens.ts';

type Json = Parameters<StateMachine['run']>[0];
type AnyState = Record<string, unknown> & { Type: string };

export interface TaskBinding {
  state: string;
  /** The function's logical name as the ASL gives it: `SignFirmwareLambdaFunction`. */
  functionName: string;
  callback: boolean;
  /** The state's Retry list as written. */
  retry: Retrier[];
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
}

export interface ExecutionRecord {
  name: string;
  status: ExecutionStatus;
  error?: string;
  cause?: string;
  output?: unknown;
  startedAt: number;
  stoppedAt?: number;
  /** Settles when the execution ends, whatever the outcome. */
  done: Promise<void>;
  abort(): void;
}

const CALLBACK = '.waitForTaskToken';

/** Every Task state (Parallel branches and Map processors included) and the function it calls. */
export function taskBindings(definition: { States: Record<string, unknown> }): TaskBinding[] {
  const bindings: TaskBinding[] = [];
  const visit = (states: Record<string, unknown>) => {
    for (const [name, raw] of Object.entries(states)) {
      const state = raw as AnyState;
      if (state.Type === 'Task') {
        const resource = String(state.Resource);
        const fn = (state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName;
        const getAtt = (fn as { 'Fn::GetAtt'?: unknown[] } | undefined)?.['Fn::GetAtt'];
        if (!resource.startsWith('arn:aws:states:::lambda:invoke') || !Array.isArray(getAtt) || typeof getAtt[0] !== 'string') {
          throw new UnsupportedDefinitionError(`state ${name}: the local runner runs lambda:invoke tasks whose FunctionName is {"Fn::GetAtt": ["<Name>LambdaFunction", "Arn"]}`);
        }
        bindings.push({ state: name, functionName: getAtt[0], callback: resource.endsWith(CALLBACK), retry: (state.Retry as Retrier[] | undefined) ?? [] });
      }
      for (const branch of (state.Branches as Array<{ States: Record<string, unknown> }> | undefined) ?? []) visit(branch.States);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, unknown> } | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(definition.States);
  return bindings;
}

/** The longest delay a Node timer takes (2^31 - 1 ms); longer ones fire at once. */
const LONGEST_REAL_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** A copy of the definition without the timeouts the runner enforces on the virtual clock. */
export function withoutCallbackTimeouts<T extends { States: Record<string, unknown> }>(definition: T): T {
  // A JSON copy, not structuredClone: under jest the latter makes objects of another realm, which the library's
  // plain-object checks do not recognise (Parameters would pass through unevaluated).
  const copy = JSON.parse(JSON.stringify(definition)) as T;
  const visit = (states: Record<string, unknown>) => {
    for (const raw of Object.values(states)) {
      const state = raw as AnyState;
      if (state.Type === 'Task' && String(state.Resource).endsWith(CALLBACK)) {
        delete state.TimeoutSecondsPath;
        // Not deleted: without TimeoutSeconds the library ends every task after 60 real seconds, which would roll
        // back a release whose operator takes a minute to answer. The virtual clock owns the real timeout.
        state.TimeoutSeconds = LONGEST_REAL_TIMER_SECONDS;
        delete state.HeartbeatSeconds;
        delete state.HeartbeatSecondsPath;
      }
      for (const branch of (state.Branches as Array<{ States: Record<string, unknown> }> | undefined) ?? []) visit(branch.States);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, unknown> } | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(copy.States);
  return copy;
}

/** Validates the definition (asl-validator) and builds the interpreter's machine: once per definition, not per run. */
export function compileDefinition(definition: { States: Record<string, unknown>; StartAt: string }): StateMachine {
  return new StateMachine(withoutCallbackTimeouts(definition) as unknown as StateMachineDefinition, { validationOptions: { checkPaths: true, checkArn: false } });
}

export class LocalWorkflow implements ReleaseWorkflow {
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly machine: StateMachine;
  readonly bindings: TaskBinding[];
  /** States entered, for the report ("state transitions"). */
  transitions = 0;

  constructor(
    definition: { States: Record<string, unknown>; StartAt: string },
    private readonly handlers: LocalHandlers,
    private readonly tokens: TaskTokens,
    private readonly scheduler: Scheduler,
    /** The definition compiled once (`compileDefinition`) and shared by many workflows: a machine holds no run state. */
    machine: StateMachine = compileDefinition(definition),
  ) {
    this.bindings = taskBindings(definition);
    this.machine = machine;
  }

  async start(request: ReleaseRequest): Promise<{ executionId: string; alreadyStarted: boolean }> {
    const name = request.releaseId;
    if (this.executions.has(name)) return { executionId: executionArn(name), alreadyStarted: true };
    let release: (() => void) | undefined = this.scheduler.hold();
    const hold = () => {
      release ??= this.scheduler.hold();
    };
    const letGo = () => {
      release?.();
      release = undefined;
    };
    const tokens = this.tokens;
    /** Consecutive failures per state, for the retry backoff; a success resets them. */
    const failures = new Map<string, number>();
    const taskResourceLocalHandlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const binding of this.bindings) {
      const invoke = this.handlers.get(binding.functionName);
      taskResourceLocalHandlers[binding.state] = binding.callback
        ? async (input) => {
            const payload = (input as { Payload?: Record<string, unknown> }).Payload ?? {};
            const token = payload.token;
            if (typeof token !== 'string') throw new UnsupportedDefinitionError(`state ${binding.state}: Payload.token must carry $$.Task.Token`);
            // The token is registered before the handler runs: a handler may hand it out, and an answer may come at once.
            let answered = false;
            const waiting = tokens.wait(name, token, numberOr(payload.timeoutSeconds), {
              onPark: () => {},
              onResume: () => {
                answered = true;
                hold();
              },
            });
            try {
              await invoke(payload);
              failures.delete(binding.state);
            } catch (error) {
              tokens.abandon(name);
              waiting.catch(() => {});
              await this.pauseBeforeRetry(binding, error, failures, letGo, hold);
              throw error;
            }
            // Parked: time may move until the token is answered or times out (unless it already was).
            if (!answered) letGo();
            return (await waiting) as Json;
          }
        : async (input) => {
            try {
              const payload = (await invoke((input as { Payload?: unknown }).Payload ?? {})) ?? null;
              failures.delete(binding.state);
              return { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: payload as Json };
            } catch (error) {
              await this.pauseBeforeRetry(binding, error, failures, letGo, hold);
              throw error;
            }
          };
    }
    const retryIntervalOverrides = Object.fromEntries(this.bindings.map((binding) => [binding.state, 0]));
    const startedAt = this.scheduler.nowMs();
    const run = this.machine.run(request as unknown as Json, {
      overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
      context: {
        Execution: { Id: executionArn(name), Name: name, StartTime: new Date(startedAt).toISOString(), Input: request as unknown as Json },
        get Task() {
          return { Token: tokens.issue(name) };
        },
      },
    });
    const record: ExecutionRecord = { name, status: 'RUNNING', startedAt, done: Promise.resolve(), abort: () => run.abort() };
    record.done = run.result.then(
      (output) => {
        record.status = 'SUCCEEDED';
        record.output = output;
      },
      (error: unknown) => {
        const cause = (error as { cause?: { name?: string; message?: string } }).cause;
        if ((error as Error).name === 'ExecutionAbortedError') record.status = 'ABORTED';
        else record.status = 'FAILED';
        record.error = cause?.name ?? (error as Error).name;
        record.cause = cause?.message ?? (error as Error).message;
      },
    ).finally(() => {
      record.stoppedAt = this.scheduler.nowMs();
      tokens.abandon(name);
      letGo();
      this.scheduler.wake();
    });
    void this.countTransitions(run.eventLogs);
    this.executions.set(name, record);
    return { executionId: executionArn(name), alreadyStarted: false };
  }

  async describe(releaseId: string): Promise<{ status: ExecutionStatus; error?: string; cause?: string } | undefined> {
    const record = this.executions.get(releaseId);
    if (!record) return undefined;
    return { status: record.status, ...(record.error ? { error: record.error } : {}), ...(record.cause ? { cause: record.cause } : {}) };
  }

  async stop(releaseId: string, _reason: string): Promise<void> {
    const record = this.executions.get(releaseId);
    if (!record || record.status !== 'RUNNING') return;
    // Hold the clock until the aborted run has settled: abandoning its tokens lets go of the approval hold, and
    // without this the scheduler would see nothing running and stall before the status becomes ABORTED.
    const release = this.scheduler.hold();
    void record.done.finally(release);
    this.tokens.abandon(releaseId);
    record.abort();
  }

  /**
   * The wait before the interpreter's retry of a failed task, on the shared clock: the state's first retrier whose
   * ErrorEquals names the error (or States.ALL / States.TaskFailed) gives the interval; none, or no attempts left, no
   * wait (the error goes on to Catch).
   */
  private async pauseBeforeRetry(binding: TaskBinding, error: unknown, failures: Map<string, number>, letGo: () => void, hold: () => void): Promise<void> {
    const name = (error as { name?: unknown } | undefined)?.name;
    const retrier = binding.retry.find((r) => r.ErrorEquals.some((e) => e === name || e === 'States.ALL' || e === 'States.TaskFailed'));
    const attempt = failures.get(binding.state) ?? 0;
    if (!retrier || attempt >= (retrier.MaxAttempts ?? 3)) {
      failures.delete(binding.state); // on to Catch: the next entry into this state starts afresh
      return;
    }
    failures.set(binding.state, attempt + 1);
    const seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
    letGo();
    await new Promise<void>((resolve) => this.scheduler.after(seconds * 1000, resolve));
    hold();
  }

  execution(releaseId: string): ExecutionRecord | undefined {
    return this.executions.get(releaseId);
  }

  private async countTransitions(logs: AsyncGenerator<{ type: string }>): Promise<void> {
    try {
      for await (const log of logs) if (log.type === 'StateEntered') this.transitions++;
    } catch {
      // The log ends with the execution's own error; the record already has it.
    }
  }
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : undefined;
}

function executionArn(name: string): string {
  return `arn:aws:states:local-1:000000000000:execution:staged-release:${name}`;
}
