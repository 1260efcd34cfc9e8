import { chooseTarget } from '#cli/target/choose.ts';
import { NoTargetError } from '#cli/target/errors.ts';

const exists = (paths: string[]) => (path: string) => paths.some((p) => path.endsWith(p));

describe('chooseTarget', () => {
  it('uses ./.ota-release when it exists', () => {
    expect(chooseTarget({}, { env: {}, exists: exists(['/.ota-release']) })).toEqual({ kind: 'local', stateDir: expect.stringMatching(/\/\.ota-release$/) });
  });

  it('explains what to run when there is no state directory', () => {
    expect(() => chooseTarget({}, { env: {}, exists: () => false })).toThrow(/ota-release start release\.yaml/);
  });

  it('lets start create the state directory', () => {
    expect(chooseTarget({}, { env: {}, exists: () => false, mayCreateStateDir: true }).kind).toBe('local');
  });

  it.each([
    [{ aws: true }, {}, { stage: 'dev', region: 'us-east-1', stackName: 'ota-release-dev' }],
    [{ stage: 'prod' }, { AWS_REGION: 'eu-west-1' }, { stage: 'prod', region: 'eu-west-1', stackName: 'ota-release-prod' }],
    [{ aws: true }, { OTA_RELEASE_STAGE: 'qa', AWS_DEFAULT_REGION: 'ap-south-1' }, { stage: 'qa', region: 'ap-south-1', stackName: 'ota-release-qa' }],
    [{}, { OTA_RELEASE_TARGET: 'aws' }, { stage: 'dev', region: 'us-east-1', stackName: 'ota-release-dev' }],
    [{ stack: 'fleet-ota', region: 'eu-central-1' }, {}, { stage: 'dev', region: 'eu-central-1', stackName: 'fleet-ota' }],
  ])('finds the stack from %j and env %j', (options, env, expected) => {
    expect(chooseTarget(options, { env })).toEqual({ kind: 'aws', ...expected });
  });

  it.each([
    [{ aws: true, stateDir: 'x' }, '--state-dir is for the embedded cloud'],
    [{ region: 'eu-west-1' }, 'add --aws'],
    [{ aws: true, region: 'mars-1' }, 'not a Region name'],
    [{ stage: 'prod/../x' }, 'letters, digits and -'],
  ])('refuses %j', (options, message) => {
    expect(() => chooseTarget(options, { env: {}, exists: () => true })).toThrow(NoTargetError);
    expect(() => chooseTarget(options, { env: {}, exists: () => true })).toThrow(message);
  });
});
