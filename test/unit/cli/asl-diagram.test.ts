import { aslToMermaid } from '#cli/asl-diagram.ts';

describe('aslToMermaid', () => {
  it('draws every transition: Next, Choice rules labelled by value, Default, Catch with its errors, and the ends', () => {
    const diagram = aslToMermaid({
      StartAt: 'Sign',
      States: {
        Sign: { Type: 'Task', Next: 'Route', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }] },
        Route: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.result.next', StringEquals: 'DONE', Next: 'Done' },
            { Variable: '$.result.next', StringEquals: 'FINISHED', Next: 'Done' },
            { Variable: '$.error', IsPresent: true, Next: 'Failed' },
          ],
          Default: 'Failed',
        },
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
      '  Route --> Done: DONE / FINISHED',
      '  Route --> Failed: error present',
      '  Route --> Failed: otherwise',
      '  Done --> [*]',
      '  Failed --> [*]',
    ]);
  });
});
