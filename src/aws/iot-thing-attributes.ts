// ThingAttributes on the IoT registry (@aws-sdk/client-iot): ListThings pages with attributes, UpdateThing with merge.
import { IoTClient, ListThingsCommand, UpdateThingCommand } from '@aws-sdk/client-iot';
import { QuotaExceededError } from '#ports/errors.ts';
import type { ThingAttributes, ThingPage } from '#ports/thing-attributes.ts';
import { type Instrument, noInstrument } from './config.ts';
import { errorName, messageOf, rethrow } from './sdk-errors.ts';

/** ListThings' largest page. */
const PAGE_SIZE = 250;

export class IotThingAttributes implements ThingAttributes {
  constructor(private readonly client: IoTClient) {}

  async listThingsPage(nextToken?: string): Promise<ThingPage> {
    try {
      const page = await this.client.send(new ListThingsCommand({ maxResults: PAGE_SIZE, ...(nextToken && { nextToken }) }));
      return {
        things: (page.things ?? []).flatMap((thing) => (thing.thingName ? [{ thingName: thing.thingName, attributes: thing.attributes ?? {} }] : [])),
        ...(page.nextToken && { nextToken: page.nextToken }),
      };
    } catch (error) {
      return rethrow(error, 'IoT ListThings');
    }
  }

  async setAttribute(thingName: string, name: string, value: string): Promise<void> {
    try {
      await this.client.send(new UpdateThingCommand({ thingName, attributePayload: { attributes: { [name]: value }, merge: true } }));
    } catch (error) {
      // A thing without a thing type holds three attributes at most; IoT refuses a fourth as an invalid request.
      if (errorName(error) === 'InvalidRequestException' && /attribute/i.test(messageOf(error))) {
        throw new QuotaExceededError(`IoT UpdateThing ${thingName}: ${messageOf(error)}`, { cause: error });
      }
      rethrow(error, `IoT UpdateThing ${thingName}`);
    }
  }
}

export function awsThingAttributes(instrument: Instrument = noInstrument): IotThingAttributes {
  return new IotThingAttributes(instrument(new IoTClient({})));
}
