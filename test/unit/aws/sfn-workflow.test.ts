import { DescribeExecutionCommand, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { SfnCallbacks, SfnReleaseWorkflow } from '#aws/sfn-workflow.ts';
import { request, sdkError } from '../functions/helpers.ts';

const sfn = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:ota';
const callbacks = () => new SfnCallbacks(new SFNClient({ region: 'eu-west-1' }));
const workflow = () => new SfnReleaseWorkflow(new SFNClient({ region: 'eu-west-1' }), () => MACHINE);

beforeEach(() => sfn.reset());

describe('SfnCallbacks', () => {
  it.each([
    ['TaskTimedOut', 'TaskClosedError'],
    ['TaskDoesNotExist', 'TaskClosedError'],
    ['InvalidToken', 'InvalidTokenError'],
    ['ThrottlingException', 'TransientError'],
  ])('turns %s into %s', async (sdkName, portError) => {
    sfn.on(SendTaskSuccessCommand).rejects(sdkError(sdkName));

    await expect(callbacks().succeed('tok', {})).rejects.toMatchObject({ name: portError });
  });

  it('fails a task with an error name and cause within the API limits', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});

    await callbacks().fail('tok', 'E'.repeat(300), 'c'.repeat(40_000));

    const input = sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input;
    expect(input.error).toHaveLength(256);
    expect(input.cause).toHaveLength(32_768);
  });
});

describe('SfnReleaseWorkflow', () => {
  it('starts the execution named by the release id', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:gw-2-4-0` });

    expect(await workflow().start(request())).toEqual({ executionId: 'arn:aws:states:eu-west-1:123456789012:execution:ota:gw-2-4-0', alreadyStarted: false });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { stateMachineArn: MACHINE, name: 'gw-2-4-0' });
  });

  it('treats ExecutionAlreadyExists as already started', async () => {
    sfn.on(StartExecutionCommand).rejects(sdkError('ExecutionAlreadyExists'));

    expect(await workflow().start(request())).toEqual({ executionId: 'arn:aws:states:eu-west-1:123456789012:execution:ota:gw-2-4-0', alreadyStarted: true });
  });

  it('describes an unknown release as undefined and stops one with NotFoundError', async () => {
    sfn.on(DescribeExecutionCommand).rejects(sdkError('ExecutionDoesNotExist'));
    sfn.on(StopExecutionCommand).rejects(sdkError('ExecutionDoesNotExist'));

    expect(await workflow().describe('nope')).toBeUndefined();
    await expect(workflow().stop('nope', 'why')).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
