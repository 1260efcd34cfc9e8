// The packaged CloudFormation template (`npm run package` writes it; `npm test` packages before jest), and the
// shapes the template tests read from it.
import { existsSync, readFileSync } from 'node:fs';

const TEMPLATE = new URL('../../.serverless/cloudformation-template-update-stack.json', import.meta.url);

export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

export function loadTemplate(): { Resources: Record<string, Resource>; Outputs: Record<string, unknown> } {
  if (!existsSync(TEMPLATE)) throw new Error('no packaged template: run `npm run package` first (npm test does)');
  return JSON.parse(readFileSync(TEMPLATE, 'utf8'));
}

/** Every statement of a role's inline policies. */
export function statementsOf(role: Resource): Statement[] {
  return ((role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }> | undefined) ?? []).flatMap((policy) => policy.PolicyDocument.Statement);
}
