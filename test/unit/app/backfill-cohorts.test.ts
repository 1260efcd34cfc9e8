// The cohort backfill: the real statemachines/cohort-backfill.asl.json on aws-local-stepfunctions, the real handler,
// the embedded registry. Each page is one invocation of bounded work; long runs hand over to a next execution.
import { readFileSync } from 'node:fs';
// aws-local-stepfunctions needs Promise.withResolvers (Node 22); a test's module realm needs the polyfill imported here.
import '../../../bin/polyfills.mjs';
import { StateMachine } from 'aws-local-stepfunctions';
import { type BackfillStep, backfillCohortPage, BackfillState } from '#app/backfill-cohorts.ts';
import { cohortOf } from '#domain/cohort.ts';
import { makeHandler } from '#functions/backfill-cohorts.ts';
import { LocalThingAttributes } from '#local/iot-jobs/local-thing-attributes.ts';
import { ThingRegistry } from '#local/iot-jobs/things.ts';

const definition = JSON.parse(readFileSync(new URL('../../../statemachines/cohort-backfill.asl.json', import.meta.url), 'utf8'));

function fleet(count: number, withCohort: (n: number) => boolean = () => false) {
  const things = new ThingRegistry();
  things.addNumbered('gw', count, () => ['fleet']);
  for (let index = 0; index < count; index++) if (withCohort(index)) things.setAttribute('otaCohort', index, 7);
  return things;
}

/** Runs the state machine, and each execution it hands over to, to the end; returns the last step of each. */
async function runBackfill(things: ThingRegistry, input: Record<string, unknown>, attributes = ['otaCohort']) {
  const started: Array<{ name: string; input: unknown }> = [];
  const handler = makeHandler({ things: new LocalThingAttributes(things, attributes), executions: { start: async (_arn, name, next) => void started.push({ name, input: next }) } });
  const machine = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: false } });
  const outputs: BackfillStep[] = [];
  let next: { name: string; input: unknown } | undefined = { name: 'backfill-1', input };
  while (next) {
    const { name, input: executionInput } = next;
    const run = machine.run(executionInput as never, {
      overrides: {
        taskResourceLocalHandlers: { BackfillPage: async (task: { Payload: unknown }) => ({ Payload: await handler(task.Payload, {} as never) }) },
        waitTimeOverrides: { Pace: 0 },
      },
      context: { Execution: { Name: name }, StateMachine: { Id: 'arn:aws:states:eu-west-1:1:stateMachine:ota-release-dev-cohort-backfill' } },
    } as never);
    const output = (await run.result) as unknown as BackfillStep;
    outputs.push(output);
    next = output.done && started.length >= outputs.length ? started[outputs.length - 1] : undefined;
  }
  return { outputs, started };
}

describe('the cohort backfill', () => {
  it('gives every thing its recommended cohort, page by page, and paces the updates', async () => {
    const things = fleet(600);

    const { outputs } = await runBackfill(things, { ratePerSecond: 50 });

    expect(outputs.at(-1)).toMatchObject({ done: true, pages: 3, scanned: 600, updated: 600, refusedCount: 0 });
    for (let index = 0; index < 600; index++) expect(things.attribute('otaCohort', index)).toBe(cohortOf(things.nameOf(index)));
  });

  it('leaves things that already have a cohort alone, so running it twice changes nothing', async () => {
    const things = fleet(300, (n) => n % 2 === 0);

    const first = (await runBackfill(things, {})).outputs.at(-1)!;
    const second = (await runBackfill(things, {})).outputs.at(-1)!;

    expect(first.updated).toBe(150);
    expect(things.attribute('otaCohort', 0)).toBe(7);
    expect(second.updated).toBe(0);
  });

  it('hands over to a next execution after pagesPerExecution pages, carrying the page token', async () => {
    const things = fleet(1200); // five pages: 2 + 2 + 1

    const { outputs, started } = await runBackfill(things, { pagesPerExecution: 2 });

    expect(started.map((execution) => execution.name)).toEqual(['backfill-1-c1', 'backfill-1-c2']);
    expect(outputs.map((output) => [output.pages, output.continuedIn ?? null])).toEqual([[2, 'backfill-1-c1'], [2, 'backfill-1-c2'], [1, null]]);
    expect(outputs.at(-1)).toMatchObject({ done: true, scanned: 1200, updated: 1200, generation: 2 });
    for (let index = 0; index < 1200; index++) expect(things.attribute('otaCohort', index)).toBeDefined();
  });

  it('lists the things with no room for another attribute instead of failing', async () => {
    const things = fleet(10);
    for (const name of ['a', 'b', 'c']) things.setAttribute(name, 3, 1);

    const step = await backfillCohortPage(
      { things: new LocalThingAttributes(things, ['a', 'b', 'c', 'otaCohort']), executions: { start: async () => {} } },
      BackfillState.parse({}),
      { stateMachineArn: 'arn', executionName: 'x' },
    );

    expect(step).toMatchObject({ updated: 9, refusedCount: 1, refused: ['gw-000004'] });
  });

  it('waits ceil(updated / ratePerSecond) seconds between pages', async () => {
    const things = fleet(600);

    const step = await backfillCohortPage({ things: new LocalThingAttributes(things, ['otaCohort']), executions: { start: async () => {} } }, BackfillState.parse({ ratePerSecond: 100 }), {
      stateMachineArn: 'arn',
      executionName: 'x',
    });

    expect(step).toMatchObject({ done: false, updated: 250, waitSeconds: 3, nextToken: '250' });
  });
});
