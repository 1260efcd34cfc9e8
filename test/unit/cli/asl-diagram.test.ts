import { aslToMermaid } from '#cli/asl-diagram.ts';

describe('aslToMermaid', () => {
  it('draws every transition: Next, Choice rules, Default, Catch with its errors, and the ends', () => {
    const diagram = aslToMermaid({
      StartAt: 'Sign',
      States: {
        Sign: { Type: 'Task', Next: 'Route', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }] },
        Route: { Type: 'Choice', Choices: [{ Next: 'Done' }], Default: 'Failed' },
        Done: { Type: 'Succeed' },
        Failed: { Type: 'Fail', Error: 'ReleaseRolledBack' },
      },
    });

    expect(diagram.split('\n')).toEqual([
      'stateDiagram-v2',
      '  [*] --> Sign',
      '  Sign --> Route',
      '  Sign --> Failed: States.ALL',
      '  state Route <<choice>>',
      '  Route --> Done',
      '  Route --> Failed',
      '  Done --> [*]',
      '  Failed --> [*]',
    ]);
  });
});
