import { availableParallelism } from 'node:os';
import { defaultWorkers } from '#cli/commands/assess.ts';

describe('assess --workers by default', () => {
  it('stays in one thread when the runs are too little work to win back starting workers', () => {
    expect(defaultWorkers(10_000, 100)).toBe(1);
    expect(defaultWorkers(1_000_000, 4)).toBe(1);
  });

  it('uses a worker per core for larger assessments, never more workers than runs', () => {
    expect(defaultWorkers(100_000, 1_000)).toBe(availableParallelism());
    expect(defaultWorkers(1_000_000, 5)).toBe(Math.min(availableParallelism(), 5));
  });
});
