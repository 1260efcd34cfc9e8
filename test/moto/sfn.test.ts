// The Step Functions adapters against moto: a release starts an execution named for it (twice is harmless), its status
// reads back, and an abort stops it; the backfill's hand-over starts a named execution once.
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SfnExecutionStarter, SfnReleaseWorkflow } from '#aws/sfn-workflow.ts';
import { describeWithMoto, type Moto, motoRequest, startMoto } from './moto-server.ts';

const request = motoRequest();
const DEFINITION = JSON.stringify({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 3600, End: true } } });

describeWithMoto('Step Functions adapters against moto', () => {
  let moto: Moto;
  let sfn: SFNClient;
  let stateMachineArn: string;

  beforeAll(async () => {
    moto = await startMoto();
    sfn = new SFNClient(moto.clientConfig);
    ({ stateMachineArn } = (await sfn.send(new CreateStateMachineCommand({ name: 'staged-release', definition: DEFINITION, roleArn: 'arn:aws:iam::123456789012:role/sfn' }))) as { stateMachineArn: string });
  }, 120_000);

  afterAll(async () => {
    sfn?.destroy();
    await moto?.stop();
  });

  it('starts a release once, reads its status, and stops it', async () => {
    const workflow = new SfnReleaseWorkflow(sfn, () => stateMachineArn);

    const first = await workflow.start(request);
    await workflow.start(request);

    // Step Functions answers a second StartExecution with the same name and input as the first (STANDARD workflows
    // are idempotent on it); either way there is one execution.
    expect(first.alreadyStarted).toBe(false);
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions?.filter((execution) => execution.name === 'moto-2-4-0')).toHaveLength(1);
    expect((await workflow.describe('moto-2-4-0'))?.status).toBe('RUNNING');
    await workflow.stop('moto-2-4-0', 'operator abort');
    expect((await workflow.describe('moto-2-4-0'))?.status).toBe('ABORTED');
    expect(await workflow.describe('never-started')).toBeUndefined();
  });

  it('hands the backfill over to a named execution once, however often the hand-over is retried', async () => {
    const starter = new SfnExecutionStarter(sfn);

    await starter.start(stateMachineArn, 'backfill-1-c1', { nextToken: 'abc' });
    await starter.start(stateMachineArn, 'backfill-1-c1', { nextToken: 'abc' });

    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions?.filter((execution) => execution.name === 'backfill-1-c1')).toHaveLength(1);
  });
});
