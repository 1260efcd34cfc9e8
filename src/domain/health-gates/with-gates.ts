// The install judgement and the health gates' results in, the stage's verdict out. A critical gate that fails vetoes
// (ROLLBACK, at any look, bake or not); a non-critical one asks a person (HOLD). Installs that clear the stage while a
// gate cannot tell yet follow the policy's inconclusive action: extend the bake by the exposure the gate needs (its
// estimate, at most one planned bake per extension, at most maxExtensions times), then ask a person.
import { formatDuration } from '../duration.ts';
import { JudgeRule, type Judgement, Verdict } from '../decision.ts';
import { defaultExtension, inconclusiveStop } from '../judge.ts';
import type { HealthPolicy } from '../release-request.ts';
import { GateStatus, type GateResult } from './gate-result.ts';

type GatePolicy = Pick<HealthPolicy, 'inconclusive' | 'maxExtensions' | 'extendBy'>;

export interface GateProgress {
  bakeSeconds: number;
  extensionsUsed: number;
}

export function withHealthGates(install: Judgement, gates: GateResult[], policy: GatePolicy, progress: GateProgress): Judgement {
  if (gates.length === 0) return install;
  const { extendSeconds: _e, countsAsExtension: _c, ...settled } = install;
  const failed = gates.filter((gate) => gate.status === GateStatus.FAIL);
  const vetoes = failed.filter((gate) => gate.critical);
  if (vetoes.length > 0) {
    const alsoInstall = install.verdict === Verdict.ROLLBACK ? install : undefined;
    return {
      ...settled,
      gates,
      verdict: Verdict.ROLLBACK,
      rules: [JudgeRule.HEALTH_GATE_FAILED, ...(alsoInstall?.rules ?? [])],
      reasons: [...vetoes.map((gate) => `health gate ${gate.name} failed: ${gate.reason}`), ...(alsoInstall?.reasons ?? [])],
    };
  }
  if (install.verdict === Verdict.ROLLBACK) return { ...install, gates };
  if (failed.length > 0) {
    return {
      ...settled,
      gates,
      verdict: Verdict.HOLD,
      rules: [JudgeRule.HEALTH_GATE_FAILED],
      reasons: [...failed.map((gate) => `health gate ${gate.name} failed: ${gate.reason}`), 'the gate is not critical, so a person decides', ...install.reasons],
    };
  }
  const open = gates.filter((gate) => gate.status === GateStatus.INCONCLUSIVE);
  if (install.verdict !== Verdict.PROMOTE) return { ...install, gates, reasons: [...install.reasons, ...open.map((gate) => `health gate ${gate.name}: ${gate.reason}`)] };
  if (open.length === 0) {
    return { ...install, gates, rules: [...install.rules, JudgeRule.HEALTH_GATES_PASSED], reasons: [...install.reasons, ...gates.map((gate) => `health gate ${gate.name} passed: ${gate.reason}`)] };
  }
  const why = open.map((gate) => `health gate ${gate.name} cannot tell yet: ${gate.reason}`);
  const stop = inconclusiveStop(policy, progress.extensionsUsed);
  if (stop) return { ...settled, gates, verdict: stop.verdict, rules: [JudgeRule.HEALTH_GATE_INCONCLUSIVE], reasons: [...why, stop.reason] };
  const extendSeconds = extensionFor(open, policy, progress.bakeSeconds);
  return {
    ...settled,
    gates,
    verdict: Verdict.EXTEND,
    rules: [JudgeRule.HEALTH_GATE_INCONCLUSIVE],
    reasons: [...why, `extending the bake by ${formatDuration(extendSeconds)} for the exposure the gates need (extension ${progress.extensionsUsed + 1} of ${policy.maxExtensions})`],
    extendSeconds,
    countsAsExtension: true,
  };
}

/** The longest of the open gates' estimates, between a minute and one planned bake; the policy's step without one. */
function extensionFor(open: GateResult[], policy: GatePolicy, bakeSeconds: number): number {
  const fallback = defaultExtension(policy, bakeSeconds);
  const needs = open.map((gate) => gate.needSeconds).filter((need): need is number => need !== undefined);
  if (needs.length < open.length) return fallback;
  return Math.min(Math.max(60, bakeSeconds), Math.max(60, ...needs));
}
