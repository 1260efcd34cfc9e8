// `ota-release validate` output: the release plan as tables that fit the terminal, the IoT Jobs configs and job
// documents exactly as they will be sent, and what each stage can tell.
import Table from 'cli-table3';
import { formatDuration } from '#domain/duration.ts';
import { formatCount, formatLimit, formatQuantity } from '#domain/percent.ts';
import type { ReleasePlan, StagePlanView } from '#domain/release-plan.ts';
import { stageTarget } from '#domain/release-request.ts';
import { type Terminal, paint, printable } from './terminal.ts';

export function renderPlan(plan: ReleasePlan, terminal: Terminal, fleetSizeAssumed: boolean): string {
  const { request } = plan;
  const out: string[] = [];
  const heading = (text: string) => out.push('', paint(text, 'bold', terminal));

  out.push(
    `${paint(`Release ${request.releaseId}`, 'bold', terminal)} · ${printable(request.product)} · ${request.firmware.previousVersion} → ${request.firmware.version} (${request.firmware.flavour} job document)`,
    `Fleet: thing group${request.fleet.thingGroups.length === 1 ? '' : 's'} ${request.fleet.thingGroups.join(', ')} · ${formatQuantity(plan.fleetSize, 'device')}${fleetSizeAssumed ? ' (assumed; set --fleet-size)' : ''}`,
  );

  heading('Stages');
  out.push(stageTable(plan.stages, terminal));

  heading("IoT Jobs safety net (the same abortConfig, timeoutConfig and retry config go with every stage's job)");
  const first = plan.stages[0]!.jobConfigs;
  out.push(`abortConfig             ${JSON.stringify(first.abortConfig)}`);
  out.push(`timeoutConfig           ${JSON.stringify(first.timeoutConfig)}`);
  out.push(`jobExecutionsRetryConfig ${first.jobExecutionsRetryConfig ? JSON.stringify(first.jobExecutionsRetryConfig) : '(none: failed executions are not retried)'}`);

  heading('Health policy (what the judge holds each stage to)');
  const health = request.health;
  out.push(
    `acceptable failure rate ${formatLimit(health.maxFailureRate)} · unacceptable ${formatLimit(health.unacceptableFailureRate)} · ${formatLimit(health.confidence)} confidence over every look (sequential test) · hard limit ${formatLimit(health.hardFailureRate)} · timeouts ${formatLimit(health.maxTimeoutRate)} · at least ${formatCount(health.minExecuted)} executed · coverage ${formatLimit(health.minCoverage)}`,
    `failure weights: failed ${health.failureWeights.failed}, rejected ${health.failureWeights.rejected}, timed out ${health.failureWeights.timedOut} · inconclusive → ${health.inconclusive}${health.inconclusive === 'extend' ? ` (up to ${health.maxExtensions}×, ${health.extendBy ? `by ${formatDuration(health.extendBy)}` : 'by half the bake'})` : ''}`,
    `approvals: answer within ${formatDuration(request.approval.timeout)}, otherwise ${request.approval.onTimeout}${request.approval.notify ? ` · notify ${request.approval.notify}` : ''}`,
  );

  heading('What each stage can tell (power analysis over every look the workflow takes)');
  for (const stage of plan.stages) {
    if (!stage.power) {
      out.push(`${stage.name}: thing groups; its size is known when the job is created`);
      continue;
    }
    out.push(`${stage.name}: ${stage.power.summary}`);
    out.push(...stage.power.details.map((detail) => `  - ${detail}`));
    if (stage.power.warning) out.push(paint(`  ⚠ ${stage.power.warning}`, 'yellow', terminal));
  }

  if (plan.gates.length > 0) {
    heading('Health gates (what devices do after the update, against devices still on the previous version)');
    out.push(...plan.gates);
  }

  const { release, rollback } = plan.jobDocuments;
  heading(`Job document devices receive (${formatCount(release.characters)} of 32,768 characters)`);
  out.push(JSON.stringify(release.document, null, 2));
  heading(`Rollback job document (${formatCount(rollback.characters)} characters)`);
  out.push(JSON.stringify(rollback.document, null, 2));

  if (plan.placeholders.length > 0) {
    heading('Placeholders (filled in when the release starts)');
    out.push(...plan.placeholders.map((text) => `- ${text}`));
  }
  if (plan.warnings.length > 0) {
    heading(`Warnings (${plan.warnings.length})`);
    out.push(...plan.warnings.map((text) => paint(`⚠ ${text}`, 'yellow', terminal)));
  }
  out.push('', paint(`✓ ${request.releaseId} is valid${plan.warnings.length ? `, with ${plan.warnings.length} warning${plan.warnings.length === 1 ? '' : 's'}` : ''}`, 'green', terminal), '');
  return out.join('\n');
}

function stageTable(stages: StagePlanView[], terminal: Terminal): string {
  // Fixed columns first; the rollout config takes what is left of the terminal and wraps.
  const fixed = [4, 12, 16, 10, 8, 10];
  const rolloutWidth = Math.max(24, terminal.columns - fixed.reduce((a, b) => a + b, 0) - 8);
  const table = new Table({
    head: ['#', 'stage', 'targets', 'devices', 'bake', 'approval', 'jobExecutionsRolloutConfig (as sent)'],
    colWidths: [...fixed, rolloutWidth],
    wordWrap: true,
    wrapOnWordBoundary: false,
    style: { head: terminal.color ? ['cyan'] : [], border: terminal.color ? ['grey'] : [], compact: true, 'padding-left': 1, 'padding-right': 1 },
  });
  for (const stage of stages) {
    const target = stageTarget(stage.targets);
    const targets = target.kind === 'percent' ? `${target.percent} % of fleet` : `groups ${target.thingGroups.join(', ')}`;
    const devices = stage.cohort === undefined ? '?' : formatCount(stage.cohort);
    table.push([String(stage.index + 1), stage.name, targets, devices, formatDuration(stage.bakeSeconds), stage.approval, JSON.stringify(stage.jobConfigs.jobExecutionsRolloutConfig)]);
  }
  return table.toString();
}

