// An embedded MQTT broker (aedes) that serves the IoT Jobs device topics from a JobsDataPlane, as AWS IoT Core does
// from the real service: requests on `$aws/things/{thing}/jobs/...`, replies on `/accepted` or `/rejected` with the
// clientToken echoed, and `notify-next` whenever the thing's next execution changes. Like an IoT policy that ties the
// client id to the thing name, a client may only publish and subscribe under its own thing's topics.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type Client } from 'aedes';
import { jobsTopic, parseJobsTopic, type ParsedJobsTopic } from '#device/jobs-client.ts';
import type { DataPlaneError, DataPlaneResult, JobExecutionState, JobsDataPlane, UpdateRequest } from '../iot-jobs/data-plane.ts';

export interface JobsBridgeOptions {
  dataPlane: JobsDataPlane;
  host?: string;
  port?: number;
  /** Epoch ms for reply timestamps (the shared clock). */
  now?: () => number;
  /** Rewrites a job document for one thing as it leaves, as IoT Jobs fills in presigned URLs. */
  presign?: (thingName: string, document: string) => string | Promise<string>;
  /** Sees every device request as it arrives: how the fleet learns what an agent it does not run says it runs. */
  observe?: (thingName: string, operation: string, request: Record<string, unknown>) => void;
}

export class JobsMqttBridge {
  /** Requests answered, by operation: the bridge's unit of work. */
  readonly served = { 'start-next': 0, describe: 0, update: 0, 'get-pending': 0, notifications: 0 };
  private readonly watches = new Map<string, { unsubscribe: () => void; clients: Set<string> }>();
  private readonly connected = new Set<string>();
  private readonly arrivals = new Map<string, Set<() => void>>();

  private constructor(
    private readonly broker: Aedes,
    private readonly server: Server,
    readonly url: string,
    private readonly options: JobsBridgeOptions,
  ) {}

  static async start(options: JobsBridgeOptions): Promise<JobsMqttBridge> {
    const ownTopic = (client: Client | null, topic: string) => {
      const parsed = parseJobsTopic(topic);
      return parsed === undefined ? !topic.startsWith('$aws/') : client !== null && parsed.thingName === client.id;
    };
    const broker = await Aedes.createBroker({
      authorizePublish: (client, packet, callback) => callback(ownTopic(client, packet.topic) ? null : new Error('not authorised for this topic')),
      // A refused subscription is answered with SUBACK 0x80, as AWS IoT does; a refused publish disconnects.
      authorizeSubscribe: (client, subscription, callback) => callback(null, ownTopic(client, subscription.topic) ? subscription : null),
    });
    const server = createServer(broker.handle);
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const bridge = new JobsMqttBridge(broker, server, `mqtt://${host}:${port}`, options);
    broker.on('publish', (packet, client) => {
      if (client) void bridge.onRequest(client.id, packet.topic, packet.payload as Buffer);
    });
    broker.on('subscribe', (subscriptions, client) => {
      for (const subscription of subscriptions) {
        const parsed = parseJobsTopic(subscription.topic);
        if (parsed?.operation === 'notify-next') bridge.watch(parsed.thingName, client.id);
      }
    });
    broker.on('clientReady', (client) => bridge.arrived(client.id));
    broker.on('clientDisconnect', (client) => {
      bridge.connected.delete(client.id);
      bridge.unwatch(client.id);
    });
    return bridge;
  }

  get connectedClients(): number {
    return this.broker.connectedClients;
  }

  /** Resolves true once a client with this id is connected (at once if it is), false if `signal` aborts first. */
  whenConnected(clientId: string, signal?: AbortSignal): Promise<boolean> {
    if (this.connected.has(clientId)) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiters = this.arrivals.get(clientId) ?? new Set<() => void>();
      this.arrivals.set(clientId, waiters);
      const abort = () => {
        waiters.delete(arrive);
        resolve(false);
      };
      const arrive = () => {
        signal?.removeEventListener('abort', abort);
        resolve(true);
      };
      waiters.add(arrive);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  private arrived(clientId: string): void {
    this.connected.add(clientId);
    const waiters = this.arrivals.get(clientId);
    this.arrivals.delete(clientId);
    for (const arrive of waiters ?? []) arrive();
  }

  async close(): Promise<void> {
    for (const watch of this.watches.values()) watch.unsubscribe();
    this.watches.clear();
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async onRequest(clientId: string, topic: string, payload: Buffer): Promise<void> {
    const parsed = parseJobsTopic(topic);
    if (!parsed || parsed.reply || parsed.operation === 'notify' || parsed.operation === 'notify-next' || parsed.thingName !== clientId) return;
    let request: Record<string, unknown>;
    try {
      request = payload.length === 0 ? {} : (JSON.parse(payload.toString('utf8')) as Record<string, unknown>);
    } catch {
      return this.reply(topic, 'rejected', { code: 'InvalidJson', message: 'the request is not valid JSON' });
    }
    this.options.observe?.(clientId, parsed.operation, request);
    const clientToken = typeof request.clientToken === 'string' ? { clientToken: request.clientToken } : {};
    try {
      const body = await this.answer(parsed, request);
      if ('error' in body) return this.reply(topic, 'rejected', { ...body.error, ...clientToken });
      return this.reply(topic, 'accepted', { ...body.value, ...clientToken });
    } catch (error) {
      return this.reply(topic, 'rejected', { code: 'InternalError', message: error instanceof Error ? error.message : String(error), ...clientToken });
    }
  }

  private async answer(parsed: ParsedJobsTopic, request: Record<string, unknown>): Promise<{ value: Record<string, unknown> } | { error: DataPlaneError }> {
    const { dataPlane } = this.options;
    const thing = parsed.thingName;
    this.served[parsed.operation as keyof typeof this.served] += 1;
    switch (parsed.operation) {
      case 'start-next': {
        const result = dataPlane.startNext(thing, pick(request, ['statusDetails', 'stepTimeoutInMinutes']));
        return this.wrap(result, async (execution) => (execution ? { execution: await this.wire(thing, execution) } : {}));
      }
      case 'describe': {
        const result = dataPlane.describe(thing, parsed.jobId ?? '$next', pick(request, ['executionNumber', 'includeJobDocument']));
        return this.wrap(result, async (execution) => (execution ? { execution: await this.wire(thing, execution) } : {}));
      }
      case 'update': {
        const result = dataPlane.update(thing, parsed.jobId ?? '', request as unknown as UpdateRequest);
        return this.wrap(result, async (value) => ({
          ...(value.executionState ? { executionState: stateOnly(value.executionState) } : {}),
          ...(value.jobDocument ? { jobDocument: asObject(await this.presign(thing, value.jobDocument)) } : {}),
        }));
      }
      case 'get-pending': {
        const result = dataPlane.getPending(thing);
        return this.wrap(result, async (value) => ({ inProgressJobs: value.inProgressJobs.map(summary), queuedJobs: value.queuedJobs.map(summary) }));
      }
      default:
        return { error: { code: 'InvalidRequest', message: 'unknown operation' } };
    }
  }

  private async wrap<T>(result: DataPlaneResult<T>, shape: (value: T) => Promise<Record<string, unknown>>) {
    return result.ok ? { value: await shape(result.value) } : { error: result.error };
  }

  /** The execution as the MQTT API shows it: the job document as a JSON object, presigned for this thing. */
  private async wire(thingName: string, execution: JobExecutionState): Promise<Record<string, unknown>> {
    const { jobDocument, ...rest } = execution;
    return { ...rest, ...(jobDocument === undefined ? {} : { jobDocument: asObject(await this.presign(thingName, jobDocument)) }) };
  }

  private async presign(thingName: string, document: string): Promise<string> {
    return this.options.presign ? this.options.presign(thingName, document) : document;
  }

  private reply(requestTopic: string, outcome: 'accepted' | 'rejected', body: Record<string, unknown>): Promise<void> {
    return this.publish(`${requestTopic}/${outcome}`, { ...body, timestamp: this.now() });
  }

  private publish(topic: string, body: Record<string, unknown>): Promise<void> {
    return new Promise((resolve) => {
      this.broker.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(body)), qos: 1, retain: false, dup: false }, () => resolve());
    });
  }

  /** One data-plane subscription per thing, however many times its agent (re)subscribes. */
  private watch(thingName: string, clientId: string): void {
    const existing = this.watches.get(thingName);
    if (existing) return void existing.clients.add(clientId);
    const unsubscribe = this.options.dataPlane.onNextChanged(thingName, (message) => {
      this.served.notifications += 1;
      void (async () => {
        const execution = message.execution ? await this.wire(thingName, message.execution) : undefined;
        await this.publish(jobsTopic(thingName, 'notify-next'), { ...(execution ? { execution } : {}), timestamp: message.timestamp });
      })();
    });
    this.watches.set(thingName, { unsubscribe, clients: new Set([clientId]) });
  }

  private unwatch(clientId: string): void {
    for (const [thing, watch] of this.watches) {
      watch.clients.delete(clientId);
      if (watch.clients.size === 0) {
        watch.unsubscribe();
        this.watches.delete(thing);
      }
    }
  }
}

function pick(request: Record<string, unknown>, keys: string[]): Record<string, never> {
  return Object.fromEntries(keys.filter((key) => request[key] !== undefined).map((key) => [key, request[key]])) as Record<string, never>;
}

function stateOnly(state: JobExecutionState): Record<string, unknown> {
  return { status: state.status, versionNumber: state.versionNumber, ...(state.statusDetails ? { statusDetails: state.statusDetails } : {}) };
}

function summary(state: JobExecutionState): Record<string, unknown> {
  return { jobId: state.jobId, queuedAt: state.queuedAt, lastUpdatedAt: state.lastUpdatedAt, versionNumber: state.versionNumber, executionNumber: state.executionNumber, ...(state.startedAt ? { startedAt: state.startedAt } : {}) };
}

function asObject(document: string): unknown {
  try {
    return JSON.parse(document);
  } catch {
    return document;
  }
}
