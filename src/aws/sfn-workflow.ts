// WorkflowCallbacks and ReleaseWorkflow on Step Functions (@aws-sdk/client-sfn). The execution is named by the
// release id, so its ARN is known without a lookup and starting a release twice is harmless.
import {
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { InvalidTokenError, NotFoundError, TaskClosedError } from '#ports/errors.ts';
import type { ExecutionStarter } from '#ports/thing-attributes.ts';
import type { ExecutionStatus, ReleaseWorkflow, WorkflowCallbacks } from '#ports/workflow.ts';
import { type Instrument, noInstrument, required } from './config.ts';
import { errorName, rethrow } from './sdk-errors.ts';

/** SendTaskFailure limits (characters): error ≤ 256, cause ≤ 32,768. */
const ERROR_MAX = 256;
const CAUSE_MAX = 32_768;

export class SfnCallbacks implements WorkflowCallbacks {
  constructor(private readonly client: SFNClient) {}

  async succeed(token: string, output: unknown): Promise<void> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output ?? {}) }));
    } catch (error) {
      callbackError(error, 'SendTaskSuccess');
    }
  }

  async fail(token: string, error: string, cause: string): Promise<void> {
    try {
      await this.client.send(new SendTaskFailureCommand({ taskToken: token, error: error.slice(0, ERROR_MAX), cause: cause.slice(0, CAUSE_MAX) }));
    } catch (caught) {
      callbackError(caught, 'SendTaskFailure');
    }
  }
}

/** The task is gone (timed out, answered, execution over) or the token is not one: plain port errors, never SDK ones. */
function callbackError(error: unknown, call: string): never {
  switch (errorName(error)) {
    case 'TaskTimedOut':
      throw new TaskClosedError('the workflow no longer waits for this answer: the wait timed out or was already answered', { cause: error });
    case 'TaskDoesNotExist':
      throw new TaskClosedError('the workflow no longer waits for this answer: the release has moved on or ended', { cause: error });
    case 'InvalidToken':
      throw new InvalidTokenError('the callback token is not valid', { cause: error });
    default:
      return rethrow(error, `Step Functions ${call}`);
  }
}

export class SfnReleaseWorkflow implements ReleaseWorkflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: () => string,
  ) {}

  /** `arn:aws:states:r:a:stateMachine:name` → `arn:aws:states:r:a:execution:name:<releaseId>`. */
  executionArn(releaseId: string): string {
    return `${this.stateMachineArn().replace(':stateMachine:', ':execution:')}:${releaseId}`;
  }

  async start(request: ReleaseRequest): Promise<{ executionId: string; alreadyStarted: boolean }> {
    try {
      const { executionArn } = await this.client.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn(), name: request.releaseId, input: JSON.stringify(request) }),
      );
      return { executionId: executionArn ?? this.executionArn(request.releaseId), alreadyStarted: false };
    } catch (error) {
      // Same name, and either a different input or an execution that already ended: the release exists.
      if (errorName(error) === 'ExecutionAlreadyExists') return { executionId: this.executionArn(request.releaseId), alreadyStarted: true };
      return rethrow(error, `Step Functions StartExecution ${request.releaseId}`);
    }
  }

  async describe(releaseId: string): Promise<{ status: ExecutionStatus; error?: string; cause?: string } | undefined> {
    try {
      const execution = await this.client.send(new DescribeExecutionCommand({ executionArn: this.executionArn(releaseId) }));
      return {
        status: (execution.status ?? 'RUNNING') as ExecutionStatus,
        ...(execution.error && { error: execution.error }),
        ...(execution.cause && { cause: execution.cause }),
      };
    } catch (error) {
      if (errorName(error) === 'ExecutionDoesNotExist') return undefined;
      return rethrow(error, `Step Functions DescribeExecution ${releaseId}`);
    }
  }

  async stop(releaseId: string, reason: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn: this.executionArn(releaseId), error: 'Aborted', cause: reason.slice(0, CAUSE_MAX) }));
    } catch (error) {
      if (errorName(error) === 'ExecutionDoesNotExist') throw new NotFoundError(`no workflow is running for ${releaseId}`, { cause: error });
      rethrow(error, `Step Functions StopExecution ${releaseId}`);
    }
  }
}

export function awsCallbacks(instrument: Instrument = noInstrument): SfnCallbacks {
  return new SfnCallbacks(instrument(new SFNClient({})));
}

export function awsWorkflow(instrument: Instrument = noInstrument): SfnReleaseWorkflow {
  return new SfnReleaseWorkflow(instrument(new SFNClient({})), () => required('stateMachineArn'));
}

/** Starts an execution by name; one that already runs under the name (a retried hand-over) is fine. */
export class SfnExecutionStarter implements ExecutionStarter {
  constructor(private readonly client: SFNClient) {}

  async start(stateMachineArn: string, name: string, input: unknown): Promise<void> {
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (error) {
      if (errorName(error) === 'ExecutionAlreadyExists') return;
      rethrow(error, `Step Functions StartExecution ${name}`);
    }
  }
}

export function awsExecutionStarter(instrument: Instrument = noInstrument): SfnExecutionStarter {
  return new SfnExecutionStarter(instrument(new SFNClient({})));
}
