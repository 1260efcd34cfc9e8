// A thing on a plain mqtt.js connection to the bridge, publishing raw payloads and reading raw replies: what any
// client written from the AWS IoT Jobs MQTT docs would do, with no help from the reference agent.
import mqtt, { type MqttClient } from 'mqtt';
import type { JobsMqttBridge } from '#local/mqtt/jobs-bridge.ts';

export interface Message {
  topic: string;
  body: Record<string, unknown>;
}

export class RawThing {
  readonly messages: Message[] = [];
  private sequence = 0;
  private readonly waiters = new Set<(message: Message) => void>();

  private constructor(
    readonly client: MqttClient,
    readonly thingName: string,
  ) {
    client.on('message', (topic, payload) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      } catch {
        body = { unparsed: payload.toString('utf8') };
      }
      const message = { topic, body };
      this.messages.push(message);
      for (const waiter of [...this.waiters]) waiter(message);
    });
  }

  /** Connects as `thingName` with its secret and subscribes to `filters` (default: everything in its jobs namespace). */
  static async connect(bridge: JobsMqttBridge, thingName: string, filters = [`$aws/things/${thingName}/jobs/#`]): Promise<RawThing> {
    const client = await mqtt.connectAsync(bridge.url, { clientId: thingName, username: thingName, password: bridge.secretFor(thingName), protocolVersion: 4, reconnectPeriod: 0 });
    const thing = new RawThing(client, thingName);
    // QoS 0 replies: the client owes no PUBACK, so Nagle never holds its next request back for a delayed ACK (~40 ms).
    if (filters.length) await client.subscribeAsync(filters, { qos: 0 });
    return thing;
  }

  topic(suffix: string): string {
    return `$aws/things/${this.thingName}/jobs/${suffix}`;
  }

  /** Publishes `payload` (a string or bytes, sent as is) and waits for the reply on `<topic>/accepted` or `/rejected`. */
  async request(suffix: string, payload: string | Buffer): Promise<{ outcome: 'accepted' | 'rejected'; body: Record<string, unknown> }> {
    const topic = this.topic(suffix);
    const from = this.messages.length;
    await this.client.publishAsync(topic, payload, { qos: 1 });
    const reply = await this.waitFor((m) => m.topic === `${topic}/accepted` || m.topic === `${topic}/rejected`, from);
    return { outcome: reply.topic.endsWith('/accepted') ? 'accepted' : 'rejected', body: reply.body };
  }

  /** A JSON request with a fresh clientToken. */
  call(suffix: string, body: Record<string, unknown> = {}) {
    return this.request(suffix, JSON.stringify({ clientToken: `t-${(this.sequence += 1)}`, ...body }));
  }

  /** The first message from index `from` on that matches, waiting for it (10 s at most: a missing reply fails the test). */
  waitFor(match: (message: Message) => boolean, from = 0): Promise<Message> {
    const found = this.messages.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no matching message for ${this.thingName}; got ${this.messages.map((m) => m.topic).join(', ')}`));
      }, 10_000);
      const check = (message: Message) => {
        if (!match(message)) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(message);
      };
      this.waiters.add(check);
    });
  }

  on(suffix: string): Message[] {
    return this.messages.filter((m) => m.topic === this.topic(suffix));
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}
