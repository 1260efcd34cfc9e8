// ThingAttributes over the embedded registry: numeric attributes shown as IoT shows attribute values (text), pages of
// 250 in registry order, and the three-attribute ceiling of a thing without a thing type.
import { formatCohort } from '#domain/fleet-query.ts';
import { QuotaExceededError } from '#ports/errors.ts';
import type { ThingAttributes, ThingPage } from '#ports/thing-attributes.ts';
import type { ThingRegistry } from './things.ts';

const PAGE = 250;
/** "Maximum number of thing attributes for a thing without a thing type: 3" (developer guide, AWS IoT limits). */
export const MAX_ATTRIBUTES_WITHOUT_TYPE = 3;

export class LocalThingAttributes implements ThingAttributes {
  constructor(
    private readonly things: ThingRegistry,
    private readonly attributeNames: readonly string[],
  ) {}

  async listThingsPage(nextToken?: string): Promise<ThingPage> {
    const from = nextToken === undefined ? 0 : Number(nextToken);
    const to = Math.min(this.things.size, from + PAGE);
    const things: ThingPage['things'] = [];
    for (let index = from; index < to; index++) {
      const attributes: Record<string, string> = {};
      for (const name of this.attributeNames) {
        const value = this.things.attribute(name, index);
        if (value !== undefined) attributes[name] = formatCohort(value);
      }
      things.push({ thingName: this.things.nameOf(index), attributes });
    }
    return { things, ...(to < this.things.size && { nextToken: String(to) }) };
  }

  async setAttribute(thingName: string, name: string, value: string): Promise<void> {
    const index = this.things.indexOf(thingName);
    if (index === undefined) throw new RangeError(`no thing ${thingName}`);
    const held = this.attributeNames.filter((other) => other !== name && this.things.attribute(other, index) !== undefined).length;
    if (held >= MAX_ATTRIBUTES_WITHOUT_TYPE) throw new QuotaExceededError(`UpdateThing ${thingName}: a thing without a thing type has at most ${MAX_ATTRIBUTES_WITHOUT_TYPE} attributes`);
    this.things.setAttribute(name, index, Number(value));
  }
}
