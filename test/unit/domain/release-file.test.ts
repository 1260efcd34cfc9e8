import { InvalidReleaseError } from '#domain/errors.ts';
import { parseReleaseFile, validateRelease } from '#domain/release-file.ts';
import { ReleaseRequest } from '#domain/release-request.ts';
import { requestInput } from './support/requests.ts';

const VALID_YAML = `
releaseId: gw-2-4-0
product: edge-gateway
firmware:
  version: 2.4.0
  previousVersion: 2.3.1
  source: { file: firmware/gateway-2.4.0.bin }
fleet: { thingGroups: [gateways] }
stages:
  - { name: canary, targets: { percent: 1 }, bake: 2h }
  - { name: all, targets: { percent: 100 }, bake: 1h30m }
health:
  maxFailureRate: 5%
`;

function problemsOf(text: string, fileName = 'release.yaml'): string[] {
  try {
    parseReleaseFile(text, fileName);
  } catch (error) {
    if (error instanceof InvalidReleaseError) return error.problems;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('parseReleaseFile', () => {
  it('reads YAML and normalises durations, rates and defaults', () => {
    const request = parseReleaseFile(VALID_YAML, 'release.yaml');
    expect(request.stages.map((stage) => stage.bake)).toEqual([7200, 5400]);
    expect(request.health.maxFailureRate).toBe(0.05);
    expect(request.health.confidence).toBe(0.95);
    expect(request.stages[0]?.rollout).toEqual({ maximumPerMinute: 100 });
    expect(request.firmware.flavour).toBe('generic');
  });

  it('reads JSON', () => {
    const request = parseReleaseFile(JSON.stringify(requestInput()), 'release.json');
    expect(request.releaseId).toBe('gw-2-4-0');
  });

  it('sets the unacceptable rate to twice the acceptable one unless the file says', () => {
    expect(ReleaseRequest.parse(requestInput({ health: { maxFailureRate: '3%' } })).health).toMatchObject({ maxFailureRate: 0.03, unacceptableFailureRate: 0.06 });
    expect(ReleaseRequest.parse(requestInput({ health: { maxFailureRate: '3%', unacceptableFailureRate: '10%' } })).health.unacceptableFailureRate).toBe(0.1);
    expect(ReleaseRequest.parse(requestInput({ health: { maxFailureRate: '80%', hardFailureRate: '90%' } })).health.unacceptableFailureRate).toBeCloseTo(0.9, 12);
  });

  it('gives the same request when the normalised form is parsed again', () => {
    const request = parseReleaseFile(VALID_YAML, 'release.yaml');
    expect(ReleaseRequest.parse(JSON.parse(JSON.stringify(request)))).toEqual(request);
  });

  it('lists every problem with its path', () => {
    const problems = problemsOf(`
releaseId: "gw 2.4"
product: edge-gateway
firmware:
  version: 2.4
  previousVersion: 2.3.1
  source: { file: 7 }
fleet: { thingGroups: [] }
stages:
  - { name: canary, targets: { percent: 1 }, bake: 2h, approvl: manual }
  - { name: wave, targets: { percent: 150 }, bake: 2 hours }
  - { name: all, targets: { everyone: true }, bake: 1h, rollout: { maximumPerMinute: 0 } }
health:
  maxFailureRate: lots
  inconclusive: shrug
`);
    expect(problems).toEqual([
      'releaseId: letters, digits, _ and - only, got "gw 2.4"',
      'firmware.version: expected a string, got 2.4 (put it in quotes)',
      'firmware.source.file: expected a string, got 7 (put it in quotes)',
      'fleet.thingGroups: needs at least 1 item',
      'stages[0].approvl: unknown field',
      'stages[1].targets.percent: must be at most 100, got 150',
      'stages[1].bake: expected a duration like 30m, 2h or 1d, got "2 hours"',
      'stages[2].targets: expected either { percent: 1-100 } (cumulative share of the fleet) or { thingGroups: [names] }',
      'stages[2].rollout.maximumPerMinute: must be at least 1, got 0',
      'health.maxFailureRate: expected a rate like 2% or 0.02, got "lots"',
      'health.inconclusive: expected "extend", "hold" or "rollback", got "shrug"',
    ]);
  });

  it('lists consistency problems in the same run as field problems', () => {
    const problems = problemsOf(`
releaseId: gw-2-4-0
product: edge-gateway
firmware: { version: 2.4.0, previousVersion: 2.4.0, source: { file: a.bin } }
fleet: { thingGroups: [gateways] }
stages:
  - { name: canary, targets: { percent: 5 }, bake: 2 hours }
  - { name: canary, targets: { percent: 3 }, bake: 1h }
`);
    expect(problems).toEqual([
      'stages[0].bake: expected a duration like 30m, 2h or 1d, got "2 hours"',
      "stages[1].targets.percent: must be above the previous stage's 5% (percentages are cumulative)",
      'stages[1].name: duplicate stage name "canary"',
      'stages[1].targets.percent: the last percent stage must reach 100% of the fleet, got 3%',
      'firmware.version: must differ from previousVersion',
    ]);
  });

  it.each([
    ['a missing field', { releaseId: undefined }, 'releaseId: required'],
    ['a bad S3 reference', { firmware: { version: '2', previousVersion: '1', source: { s3: { bucket: 'b', key: 'k' } } } }, 'firmware.source.s3.bucket: needs at least 3 characters, got "b"'],
    ['both file and s3', { firmware: { version: '2', previousVersion: '1', source: { file: 'a', s3: { bucket: 'bbb', key: 'k' } } } }, 'firmware.source: expected exactly one of { file: <path> } or { s3: { bucket, key, versionId? } }'],
    ['neither file nor s3', { firmware: { version: '2', previousVersion: '1', source: {} } }, 'firmware.source: expected exactly one of { file: <path> } or { s3: { bucket, key, versionId? } }'],
    ['the same version twice', { firmware: { version: '2', previousVersion: '2', source: { file: 'a' } } }, 'firmware.version: must differ from previousVersion'],
    ['an nRF release without a rollback image', { firmware: { version: '2', previousVersion: '1', source: { file: 'a' }, flavour: 'nrf' } }, 'firmware.rollbackSource: required for nRF devices: they cannot switch back to a kept slot through a job, so a rollback sends the old image'],
    ['a bake too short', { stages: [{ name: 'all', targets: { percent: 100 }, bake: '30s' }] }, 'stages[0].bake: expected a duration between 1m and 7d, got 30s'],
    ['a shrinking percentage', { stages: [{ name: 'a', targets: { percent: 10 }, bake: '1h' }, { name: 'b', targets: { percent: 5 }, bake: '1h' }, { name: 'c', targets: { percent: 100 }, bake: '1h' }] }, "stages[1].targets.percent: must be above the previous stage's 10% (percentages are cumulative)"],
    ['a release that stops short of the fleet', { stages: [{ name: 'a', targets: { percent: 10 }, bake: '1h' }] }, 'stages[0].targets.percent: the last percent stage must reach 100% of the fleet, got 10%'],
    ['a duplicate stage name', { stages: [{ name: 'a', targets: { thingGroups: ['lab'] }, bake: '1h' }, { name: 'a', targets: { percent: 100 }, bake: '1h' }] }, 'stages[1].name: duplicate stage name "a"'],
    ['a hard line below the soft one', { health: { maxFailureRate: '5%', hardFailureRate: '2%' } }, 'health.hardFailureRate: must be at least maxFailureRate (5%): the hard line sits above the statistical one'],
    ['an unacceptable rate at the acceptable one', { health: { maxFailureRate: '5%', unacceptableFailureRate: '5%' } }, 'health.unacceptableFailureRate: must be above maxFailureRate (5%): the judge tells an acceptable rate from an unacceptable one, so they cannot meet'],
    ['an acceptable rate of 100 %', { health: { maxFailureRate: '100%' } }, 'health.maxFailureRate: must be below 100%: at 100% no failure rate is unacceptable, so nothing could be caught'],
    ['an acceptable rate of 0 %', { health: { maxFailureRate: '0%' } }, 'health.maxFailureRate: must be above 0%: the judge weighs an acceptable rate against an unacceptable one, and a stage allowed no failure at all would roll back on its first; use a small rate such as 0.5%'],
    ['a failure weight above 1', { health: { failureWeights: { failed: 2 } } }, 'health.failureWeights.failed: must be at most 1, got 2'],
    ['too many retries', { safetyNet: { retries: [{ failureType: 'FAILED', numberOfRetries: 6 }, { failureType: 'TIMED_OUT', numberOfRetries: 6 }] } }, 'safetyNet.retries: IoT Jobs allows 10 retries in total across failure types, got 12'],
    ['two abort criteria for one type', { safetyNet: { abort: [{ failureType: 'ALL', thresholdPercentage: 10, minNumberOfExecutedThings: 5 }, { failureType: 'ALL', thresholdPercentage: 20, minNumberOfExecutedThings: 5 }] } }, 'safetyNet.abort[1].failureType: a second abort criterion for ALL; IoT Jobs takes one per failure type'],
    ['an exponential rollout with a bad factor', { stages: [{ name: 'all', targets: { percent: 100 }, bake: '1h', rollout: { exponential: { baseRatePerMinute: 10, incrementFactor: 1.55, rateIncrease: { notifiedThings: 10 } } } }] }, 'stages[0].rollout.exponential.incrementFactor: at most one decimal digit'],
  ])('explains %s', (_name, overrides, problem) => {
    const input = { ...requestInput(), ...overrides } as Record<string, unknown>;
    for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
    expect(problemsOf(JSON.stringify(input), 'release.json')).toContain(problem);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problemsOf('releaseId: a\n  bad: indent\nstages: [\n', 'r.yaml')[0]).toMatch(/^r\.yaml line 1, column 12: Nested mappings are not allowed in compact mappings$/);
  });

  it('reports a duplicate YAML key', () => {
    expect(problemsOf('releaseId: a\nreleaseId: b\n', 'r.yaml')[0]).toBe('r.yaml line 2, column 1: Map keys must be unique');
  });

  it('reports JSON syntax errors with their place', () => {
    expect(problemsOf('{\n  "releaseId": "a",\n}', 'r.json')[0]).toMatch(/^r\.json: not valid JSON \(line 3, column 1\)/);
  });

  it.each([
    ['an empty file', '', 'the release file is empty'],
    ['a list', '- a\n- b\n', 'the release file must be a mapping of fields (releaseId, firmware, stages, …)'],
  ])('refuses %s', (_name, text, problem) => {
    expect(problemsOf(text)).toEqual([problem]);
  });

  it('reads health gates, filling in their defaults, and lists every gate problem with its path', () => {
    const gates = `${VALID_YAML}  reportEvery: 2m
  gates:
    - { kind: rate, metric: crashes, maxRatio: 1.2 }
    - { kind: silence }
    - { kind: alarm, alarmName: api-errors, critical: false }
`;
    const request = parseReleaseFile(gates, 'release.yaml');
    expect(request.health.reportEvery).toBe(120);
    expect(request.health.warmUp).toBe(1800);
    expect(request.health.gates).toEqual([
      { kind: 'rate', metric: 'crashes', maxRatio: 1.2, critical: true },
      { kind: 'silence', afterReports: 2, critical: true },
      { kind: 'alarm', alarmName: 'api-errors', critical: false },
    ]);
    const bad = `${VALID_YAML}  gates:
    - { kind: rate, metric: crashes, maxRatio: 2, unacceptableRatio: 1.5 }
    - { kind: rate, metric: crashes, maxRatio: 1.2 }
    - { kind: rate, metric: cpu, maxRatio: 1.2 }
    - { kind: alarm }
    - { kind: heartbeat }
`;
    expect(problemsOf(bad)).toEqual([
      'health.gates[2].metric: expected "crashes" or "reboots", got "cpu"',
      'health.gates[3].alarmName: required',
      'health.gates[4].kind: expected a gate with kind rate (metric, maxRatio), silence (afterReports) or alarm (alarmName)',
      'health.gates[1].name: a second gate named "crashes-rate"; give each gate its own name',
      'health.gates[0].unacceptableRatio: must be above maxRatio (2): the gate tells an acceptable ratio from an unacceptable one, so they cannot meet',
    ]);
  });

  it('validates parsed data the same way', () => {
    expect(() => validateRelease({ releaseId: 'x' })).toThrow(InvalidReleaseError);
  });
});
