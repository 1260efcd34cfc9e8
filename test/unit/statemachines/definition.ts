// Loads the committed state machine, event rules and serverless.yml for the tests that check them against the code.
import { readFileSync } from 'node:fs';
import { parse, type Tags } from 'yaml';

export const ROOT = new URL('../../../', import.meta.url);

export interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: { 'Fn::GetAtt'?: [string, string] }; Payload?: Record<string, unknown> };
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: Array<{ Next: string }>;
  Retry?: Array<{ ErrorEquals: string[]; MaxAttempts?: number; BackoffRate?: number; IntervalSeconds?: number }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath?: string | null }>;
  TimeoutSecondsPath?: string;
  Error?: string;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

export function loadDefinition(): AslDefinition {
  return JSON.parse(readFileSync(new URL('statemachines/staged-release.asl.json', ROOT), 'utf8')) as AslDefinition;
}

export function loadEventRules(): Record<string, { target: string; description: string; pattern: Record<string, unknown> }> {
  return JSON.parse(readFileSync(new URL('statemachines/event-rules.json', ROOT), 'utf8'));
}

/** serverless.yml with CloudFormation short forms kept as plain objects (`!Ref X` → `{ Ref: 'X' }`). */
export function loadServerlessYml(): { functions: Record<string, { handler: string; role?: string }> } {
  const tag = (name: string, key: string) => ({ tag: `!${name}`, resolve: (value: unknown) => ({ [key]: value }) });
  const customTags: Tags = [tag('Ref', 'Ref'), tag('GetAtt', 'Fn::GetAtt'), tag('Sub', 'Fn::Sub')];
  return parse(readFileSync(new URL('serverless.yml', ROOT), 'utf8'), { customTags });
}

/** Every state reachable from `start`, following Next, Default, Choices and Catch. */
export function reachable(definition: AslDefinition, start: string): Set<string> {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const state = definition.States[name]!;
    for (const next of [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next), ...(state.Catch ?? []).map((c) => c.Next)]) {
      if (next) queue.push(next);
    }
  }
  return seen;
}

export const taskStates = (definition: AslDefinition) => Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
