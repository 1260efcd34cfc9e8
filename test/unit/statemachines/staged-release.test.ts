import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as appErrors from '#app/errors.ts';
import * as awsErrors from '#aws/errors.ts';
import * as domainErrors from '#domain/errors.ts';
import * as portErrors from '#ports/errors.ts';
import { loadDefinition, loadServerlessYml, reachable, ROOT, taskStates } from './definition.ts';

// asl-validator ships no type declarations; this is the part of its API the test uses.
type AslValidator = (definition: unknown, options: { checkPaths: boolean; checkArn: boolean }) => { isValid: boolean; errorsText(separator: string): string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const definition = loadDefinition();
const functions = loadServerlessYml().functions;

/** Error names the code can produce: every exported error class, and the names callbacks fail tasks with. */
const OUR_ERROR_NAMES = new Set([
  ...[domainErrors, portErrors, appErrors, awsErrors].flatMap((module) =>
    Object.values(module).filter((value): value is new (...args: never[]) => Error => typeof value === 'function' && value.prototype instanceof Error).map((cls) => cls.name),
  ),
  ...Object.values(appErrors.CallbackError),
]);
/** Names AWS defines: the ASL's own, and the Lambda service errors the lambda:invoke integration documents. */
const AWS_ERROR_NAMES = /^(States\.(ALL|Timeout|TaskFailed|Runtime)|Lambda\.(ServiceException|AWSLambdaException|SdkClientException|TooManyRequestsException|Unknown))$/;

const pascalToCamel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

describe('statemachines/staged-release.asl.json', () => {
  it('passes asl-validator with path and ARN checks', () => {
    const result = aslValidator(definition, { checkPaths: true, checkArn: true });

    expect(result.errorsText('; ')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('names the release steps of the design in order', () => {
    const path = ['Prepare', 'SignFirmware', 'CreateStageJob', 'StartBake', 'BakeWait', 'EvaluateMetrics', 'RouteVerdict'];
    path.slice(0, -1).forEach((name, index) => expect(definition.States[name]?.Next).toBe(path[index + 1]));
    const onward = reachable(definition, 'RouteVerdict');
    for (const name of ['ExtendBake', 'AwaitApproval', 'PromoteOrRollback', 'NextStage', 'Released']) expect(onward.has(name)).toBe(true);
  });

  it.each(taskStates(definition))('task %s invokes a function serverless.yml declares, through lambda:invoke and Fn::GetAtt', (_name, state) => {
    const [logicalId, attribute] = state.Parameters?.FunctionName?.['Fn::GetAtt'] ?? [];
    expect(state.Resource).toMatch(/^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/);
    expect(attribute).toBe('Arn');
    expect(logicalId).toMatch(/LambdaFunction$/);
    const functionName = pascalToCamel(logicalId!.replace(/LambdaFunction$/, ''));
    const declared = functions[functionName];
    expect(declared).toBeDefined();
    const modulePath = declared!.handler.replace(/\.handler$/, '.ts');
    expect(existsSync(new URL(modulePath, ROOT))).toBe(true);
  });

  it.each(taskStates(definition).filter(([, state]) => state.Resource!.endsWith('.waitForTaskToken')))(
    'callback task %s passes its token and timeout in the payload and times out on AWS through TimeoutSecondsPath',
    (_name, state) => {
      expect(state.Parameters?.Payload?.['token.$']).toBe('$$.Task.Token');
      expect(state.Parameters?.Payload?.['timeoutSeconds.$']).toBe(state.TimeoutSecondsPath);
      expect(state.Catch?.some((c) => c.ErrorEquals.includes('States.Timeout'))).toBe(true);
    },
  );

  it.each(Object.entries(definition.States).flatMap(([name, state]) => [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals.map((error) => [name, error]))))(
    '%s handles %s, an error name that exists',
    (_state, error) => {
      expect(OUR_ERROR_NAMES.has(error) || AWS_ERROR_NAMES.test(error)).toBe(true);
    },
  );

  it.each(taskStates(definition))('task %s retries TransientError with backoff', (_name, state) => {
    const transient = state.Retry?.find((rule) => rule.ErrorEquals.includes('TransientError'));
    expect(transient?.BackoffRate).toBeGreaterThan(1);
    expect(transient?.MaxAttempts).toBeGreaterThanOrEqual(3);
  });

  // A Lambda timeout or out-of-memory reaches Step Functions as Lambda.Unknown, which no other rule matches: without its
  // own retry one bad invocation of CreateStageJob went straight to the rollback.
  it.each(taskStates(definition))('task %s retries Lambda.Unknown (timeout, out of memory) a bounded number of times', (_name, state) => {
    const unknown = state.Retry?.find((rule) => rule.ErrorEquals.includes('Lambda.Unknown'));
    expect(unknown?.MaxAttempts).toBeGreaterThanOrEqual(1);
    expect(unknown?.MaxAttempts).toBeLessThanOrEqual(3);
  });

  it.each(taskStates(definition))('task %s does not retry a used-up quota as if it were transient, except on the rollback path', (name, state) => {
    const transient = state.Retry?.find((rule) => rule.ErrorEquals.includes('TransientError'));
    expect(transient?.ErrorEquals).not.toContain('QuotaExceededError');
    const quota = state.Retry?.find((rule) => rule.ErrorEquals.includes('QuotaExceededError'));
    if (name === 'PromoteOrRollback' || name === 'RollBackAfterError') expect(quota?.IntervalSeconds).toBeGreaterThanOrEqual(60);
    else expect(quota).toBeUndefined();
  });

  it.each(taskStates(definition))('task %s catches everything, so no error leaves a release half out', (_name, state) => {
    expect(state.Catch?.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
  });

  it('routes every catch-all to the rollback, and the rollback only to Fail states', () => {
    const catchAllTargets = new Set(
      Object.entries(definition.States)
        .filter(([name]) => name !== 'RollBackAfterError')
        .flatMap(([, state]) => (state.Catch ?? []).filter((c) => c.ErrorEquals.includes('States.ALL')).map((c) => c.Next)),
    );
    expect([...catchAllTargets]).toEqual(['RollBackAfterError']);

    const ends = [...reachable(definition, 'RollBackAfterError')].filter((name) => !definition.States[name]!.Next && !definition.States[name]!.Choices);
    expect(ends.length).toBeGreaterThan(0);
    for (const name of ends) expect(definition.States[name]!.Type).toBe('Fail');
  });

  it('names each Fail state for its outcome', () => {
    const fails = Object.entries(definition.States).filter(([, state]) => state.Type === 'Fail');
    expect(fails.map(([name]) => name).sort()).toEqual(['RollbackFailed', 'RolledBackOnApprovalTimeout', 'RolledBackOnError', 'RolledBackOnEvidence', 'RolledBackOnRejection', 'SigningFailed']);
    for (const [name, state] of fails) expect(state.Error).toBe(name);
  });
});
