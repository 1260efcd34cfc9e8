import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type AslDefinition, loadServerlessYml, ROOT, taskStates } from './definition.ts';

type AslValidator = (definition: unknown, options: { checkPaths: boolean; checkArn: boolean }) => { isValid: boolean; errorsText(separator: string): string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;
const definition = JSON.parse(readFileSync(new URL('statemachines/cohort-backfill.asl.json', ROOT), 'utf8')) as AslDefinition;

describe('statemachines/cohort-backfill.asl.json', () => {
  it('passes asl-validator with path and ARN checks', () => {
    const result = aslValidator(definition, { checkPaths: true, checkArn: true });
    expect(result.errorsText('; ')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('invokes the backfill-cohorts function serverless.yml declares', () => {
    const [[, state]] = taskStates(definition) as [[string, (typeof definition.States)[string]]];
    expect(state.Parameters?.FunctionName?.['Fn::GetAtt']).toEqual(['BackfillCohortsLambdaFunction', 'Arn']);
    const declared = loadServerlessYml().functions.backfillCohorts!;
    expect(existsSync(new URL(declared.handler.replace(/\.handler$/, '.ts'), ROOT))).toBe(true);
  });

  it('paces pages with a Wait on the page\'s own count, and retries a throttled page', () => {
    expect(definition.States.Pace).toMatchObject({ Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'BackfillPage' });
    const retry = definition.States.BackfillPage!.Retry!;
    expect(retry.find((rule) => rule.ErrorEquals.includes('TransientError'))?.BackoffRate).toBeGreaterThan(1);
    expect(retry.some((rule) => rule.ErrorEquals.includes('Lambda.Unknown'))).toBe(true);
  });
});
