// The one-time cohort backfill for fleets provisioned before the cohort attribute: statemachines/cohort-backfill.asl.json
// calls this once per page of 250 things, waits between pages so UpdateThing stays at `ratePerSecond` on average, and
// after `pagesPerExecution` pages starts its next execution (a Standard execution's history holds 25,000 events). Each
// invocation does one ListThings and at most 250 UpdateThing calls, whatever the fleet size. A thing that already has
// the attribute is left alone, so a retried page, or a second run, changes nothing.
import { z } from 'zod';
import { cohortOf, DEFAULT_COHORT_ATTRIBUTE } from '#domain/cohort.ts';
import { formatCohort } from '#domain/fleet-query.ts';
import { QuotaExceededError } from '#ports/errors.ts';
import type { ExecutionStarter, ThingAttributes } from '#ports/thing-attributes.ts';

/** UpdateThing calls in flight at once within a page. */
const CONCURRENCY = 4;
const COHORT_VALUE = /^\d{4}$/;

export const BackfillState = z.object({
  attribute: z.string().min(1).max(128).default(DEFAULT_COHORT_ATTRIBUTE),
  /** UpdateThing calls per second, on average over the run; keep it under your account's UpdateThing rate. */
  ratePerSecond: z.number().positive().max(1000).default(10),
  pagesPerExecution: z.number().int().min(1).max(2000).default(2000),
  nextToken: z.string().min(1).nullish(),
  /** Pages done in this execution. */
  pages: z.number().int().min(0).default(0),
  scanned: z.number().int().min(0).default(0),
  updated: z.number().int().min(0).default(0),
  /** Things with no room for another attribute (three without a thing type): listed here, left as they are. */
  refused: z.array(z.string()).max(100).default([]),
  refusedCount: z.number().int().min(0).default(0),
  generation: z.number().int().min(0).default(0),
});
export type BackfillState = z.output<typeof BackfillState>;

export interface BackfillStep extends BackfillState {
  done: boolean;
  /** How long the state machine waits before the next page. */
  waitSeconds: number;
  /** The execution that carries on, when this one handed over (null otherwise: the ASL selects every field). */
  continuedIn: string | null;
}

export interface BackfillPorts {
  things: ThingAttributes;
  executions: ExecutionStarter;
}

export interface ExecutionContext {
  stateMachineArn: string;
  executionName: string;
}

export async function backfillCohortPage(ports: BackfillPorts, state: BackfillState, execution: ExecutionContext): Promise<BackfillStep> {
  const page = await ports.things.listThingsPage(state.nextToken ?? undefined);
  const pending = page.things.filter((thing) => !COHORT_VALUE.test(thing.attributes[state.attribute] ?? ''));
  const refused: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const { thingName } = pending[next++]!;
      try {
        await ports.things.setAttribute(thingName, state.attribute, formatCohort(cohortOf(thingName)));
      } catch (error) {
        if (!(error instanceof QuotaExceededError)) throw error;
        refused.push(thingName);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, pending.length) }, worker));

  const updated = pending.length - refused.length;
  const after: BackfillState = {
    ...state,
    nextToken: page.nextToken ?? null,
    pages: state.pages + 1,
    scanned: state.scanned + page.things.length,
    updated: state.updated + updated,
    refused: [...state.refused, ...refused].slice(0, 100),
    refusedCount: state.refusedCount + refused.length,
  };
  const waitSeconds = Math.ceil(updated / state.ratePerSecond);
  if (!page.nextToken) return { ...after, done: true, waitSeconds: 0, continuedIn: null };
  if (after.pages < state.pagesPerExecution) return { ...after, done: false, waitSeconds, continuedIn: null };
  // Hand over to a fresh execution before this one's history fills; its name makes a retried hand-over harmless.
  const base = execution.executionName.replace(/-c\d+$/, '');
  const name = `${base}-c${state.generation + 1}`.slice(0, 80);
  await ports.executions.start(execution.stateMachineArn, name, { ...after, pages: 0, generation: state.generation + 1 });
  return { ...after, done: true, waitSeconds: 0, continuedIn: name };
}
