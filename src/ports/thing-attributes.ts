// ThingAttributes: the registry as the cohort backfill needs it. AWS: ListThings / UpdateThing. Local: the registry.

export interface ThingPage {
  things: Array<{ thingName: string; attributes: Readonly<Record<string, string>> }>;
  /** Absent on the last page. */
  nextToken?: string;
}

export interface ThingAttributes {
  /** One page (at most 250) of the account's things with their attributes. */
  listThingsPage(nextToken?: string): Promise<ThingPage>;
  /**
   * Sets one attribute and keeps the others (UpdateThing with merge). Throws QuotaExceededError when the thing has no
   * room for another attribute (three without a thing type).
   */
  setAttribute(thingName: string, name: string, value: string): Promise<void>;
}

/** Starts the next execution of a long-running state machine (continue-as-new), idempotent on its name. */
export interface ExecutionStarter {
  start(stateMachineArn: string, name: string, input: unknown): Promise<void>;
}
