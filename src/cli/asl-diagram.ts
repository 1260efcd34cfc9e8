// Renders an ASL definition as a Mermaid state diagram, so the README's picture of the workflow is generated from
// statemachines/staged-release.asl.json instead of drawn by hand (a test keeps the two in step).

interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Array<{ Next: string }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  Error?: string;
}

interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

/** Mermaid state ids may not contain spaces or punctuation other than `_`. */
function id(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

export function aslToMermaid(definition: AslDefinition): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${id(definition.StartAt)}`];
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Choice') lines.push(`  state ${id(name)} <<choice>>`);
    if (state.Next) lines.push(`  ${id(name)} --> ${id(state.Next)}`);
    for (const choice of state.Choices ?? []) lines.push(`  ${id(name)} --> ${id(choice.Next)}`);
    if (state.Default) lines.push(`  ${id(name)} --> ${id(state.Default)}`);
    for (const handler of state.Catch ?? []) {
      lines.push(`  ${id(name)} --> ${id(handler.Next)}: ${handler.ErrorEquals.join(', ')}`);
    }
    if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') lines.push(`  ${id(name)} --> [*]`);
  }
  // The same edge can come from a Choice rule and a Catch; keep the first.
  return [...new Set(lines)].join('\n');
}
