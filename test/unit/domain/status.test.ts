import { InvalidTransitionError } from '#domain/errors.ts';
import {
  canTransition,
  isTerminal,
  isTerminalStage,
  ReleaseStatus,
  StageStatus,
  transition,
  transitionStage,
} from '#domain/status.ts';

const releaseStatuses = Object.values(ReleaseStatus);
const stageStatuses = Object.values(StageStatus);

describe('release status', () => {
  it.each([
    ['STARTED', 'SIGNING'],
    ['SIGNING', 'IN_PROGRESS'],
    ['IN_PROGRESS', 'IN_PROGRESS'],
    ['IN_PROGRESS', 'AWAITING_APPROVAL'],
    ['AWAITING_APPROVAL', 'IN_PROGRESS'],
    ['AWAITING_APPROVAL', 'ROLLING_BACK'],
    ['IN_PROGRESS', 'PROMOTED'],
    ['ROLLING_BACK', 'ROLLED_BACK'],
    ['STARTED', 'ABORTED'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(transition(from, to)).toBe(to);
  });

  it.each([
    ['STARTED', 'PROMOTED'],
    ['SIGNING', 'AWAITING_APPROVAL'],
    ['ROLLING_BACK', 'PROMOTED'],
    ['ROLLING_BACK', 'IN_PROGRESS'],
    ['PROMOTED', 'ROLLING_BACK'],
    ['ROLLED_BACK', 'IN_PROGRESS'],
  ] as const)('refuses %s → %s', (from, to) => {
    expect(() => transition(from, to)).toThrow(new InvalidTransitionError(from, to));
    expect(() => transition(from, to)).toThrow(`a release cannot go from ${from} to ${to}`);
  });

  it('leaves every terminal status for nothing, and every other status for something', () => {
    for (const from of releaseStatuses) {
      const exits = releaseStatuses.filter((to) => canTransition(from, to));
      expect(exits.length === 0).toBe(isTerminal(from));
    }
  });

  it('lets every non-terminal release be rolled back or fail', () => {
    for (const from of releaseStatuses.filter((s) => !isTerminal(s))) {
      expect(canTransition(from, ReleaseStatus.FAILED)).toBe(true);
    }
  });
});

describe('stage status', () => {
  it.each([
    ['PENDING', 'IN_PROGRESS'],
    ['IN_PROGRESS', 'IN_PROGRESS'],
    ['IN_PROGRESS', 'AWAITING_APPROVAL'],
    ['IN_PROGRESS', 'PROMOTED'],
    ['IN_PROGRESS', 'ROLLED_BACK'],
    ['AWAITING_APPROVAL', 'PROMOTED'],
    ['AWAITING_APPROVAL', 'ROLLED_BACK'],
    ['PENDING', 'CANCELED'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(transitionStage(from, to)).toBe(to);
  });

  it.each([
    ['PENDING', 'PROMOTED'],
    ['PENDING', 'AWAITING_APPROVAL'],
    ['AWAITING_APPROVAL', 'IN_PROGRESS'],
    ['PROMOTED', 'ROLLED_BACK'],
    ['CANCELED', 'IN_PROGRESS'],
  ] as const)('refuses %s → %s', (from, to) => {
    expect(() => transitionStage(from, to)).toThrow(`a stage cannot go from ${from} to ${to}`);
  });

  it('ends in PROMOTED, ROLLED_BACK or CANCELED only', () => {
    expect(stageStatuses.filter(isTerminalStage)).toEqual(['PROMOTED', 'ROLLED_BACK', 'CANCELED']);
  });
});
