// Renders an ASL definition as a Mermaid state diagram, so the README's picture of the workflow is generated from
// statemachines/staged-release.asl.json instead of drawn by hand (a test keeps the two in step).

interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: Array<ChoiceRule>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  Error?: string;
}

interface ChoiceRule {
  Next: string;
  Variable?: string;
  [comparison: string]: unknown;
}

interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

/** Mermaid state ids may not contain spaces or punctuation other than `_`. */
function id(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** A short label for a Choice rule: the value compared against (`promote`), or `<field> present`. */
function ruleLabel(rule: ChoiceRule): string {
  // A compound rule is labelled by its last condition, the one that names the value (the others guard it).
  const compound = (rule.And ?? rule.Or) as ChoiceRule[] | undefined;
  if (compound?.length) return ruleLabel(compound[compound.length - 1]!);
  const field = rule.Variable?.split('.').pop() ?? 'rule';
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'Next' || key === 'Variable' || key === 'Comment') continue;
    if (key === 'IsPresent') return `${field} ${value ? 'present' : 'absent'}`;
    if (/Equals$/.test(key)) return String(value);
    return `${field} ${key}`;
  }
  return field;
}

export function aslToMermaid(definition: AslDefinition): string {
  const lines = ['stateDiagram-v2', `  [*] --> ${id(definition.StartAt)}`];
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Choice') lines.push(`  state ${id(name)} <<choice>>`);
    if (state.Next) lines.push(`  ${id(name)} --> ${id(state.Next)}`);
    // Rules that lead to the same state share one edge, labelled with every value that leads there.
    const ruleLabels = new Map<string, string[]>();
    for (const rule of state.Choices ?? []) ruleLabels.set(rule.Next, [...(ruleLabels.get(rule.Next) ?? []), ruleLabel(rule)]);
    for (const [next, labels] of ruleLabels) lines.push(`  ${id(name)} --> ${id(next)}: ${labels.join(' / ')}`);
    if (state.Default) lines.push(`  ${id(name)} --> ${id(state.Default)}: otherwise`);
    for (const handler of state.Catch ?? []) {
      lines.push(`  ${id(name)} --> ${id(handler.Next)}: ${handler.ErrorEquals.join(', ')}`);
    }
    if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') lines.push(`  ${id(name)} --> [*]`);
  }
  return lines.join('\n');
}
