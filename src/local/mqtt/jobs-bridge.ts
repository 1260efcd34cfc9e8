// An embedded MQTT broker (aedes) that serves the IoT Jobs device topics from a JobsDataPlane, as AWS IoT Core does
// from the real service (developer guide: "Jobs device MQTT API operations", "Jobs notifications"): requests on
// `$aws/things/{thing}/jobs/...`, replies on `/accepted` or `/rejected` with the clientToken echoed, `notify-next`
// whenever the thing's next execution changes and `notify` whenever its list of pending executions does. Every
// request is checked (jobs-requests.ts) before it reaches the data plane: a malformed one gets the documented error
// reply on its /rejected topic and nothing else happens. Clients authenticate as a thing (thing-credentials.ts) and
// may only touch their own thing's topics (topic-policy.ts). Times on the wire are epoch seconds, as the API
// reference types them; the data plane keeps milliseconds.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { jobsTopic, parseJobsTopic } from '#device/jobs-client.ts';
import { HealthReport, healthTopic } from '#domain/health-report.ts';
import type { DataPlaneError, DataPlaneResult, JobExecutionState, JobsDataPlane, PendingChanged } from '../iot-jobs/data-plane.ts';
import { clientTokenOf, parseRequest, validJobId, type JobsOperation, type JobsRequest } from './jobs-requests.ts';
import type { ThingCredentials } from './thing-credentials.ts';
import { filterMatches, healthTopicOf, jobsNamespace, mayPublish, maySubscribe } from './topic-policy.ts';

export interface JobsBridgeOptions {
  dataPlane: JobsDataPlane;
  /** Who may connect: a thing presenting its own secret, with the thing name as its client id. */
  credentials: ThingCredentials;
  host?: string;
  port?: number;
  /** Epoch ms for reply timestamps (the shared clock). */
  now?: () => number;
  /** Rewrites a job document for one thing as it leaves, as IoT Jobs fills in presigned URLs. */
  presign?: (thingName: string, document: string) => string | Promise<string>;
  /** Sees every well-formed device request as it arrives: how the fleet learns what an agent it does not run says it runs. */
  observe?: (thingName: string, operation: string, request: Record<string, unknown>) => void;
  /**
   * Where valid health reports from `ota-release/health/<thing>` go (the embedded metrics store), as the IoT topic rule
   * turns them into CloudWatch metrics on AWS. Absent: health reports are dropped.
   */
  health?: { record(report: HealthReport): void };
  /** Told of each health report that was dropped as invalid, and why. */
  onBadHealthReport?: (thingName: string, problem: string) => void;
}

type Body = Record<string, unknown>;
type Notification = 'notify-next' | 'notify';

export class JobsMqttBridge {
  /** Requests answered, by operation: the bridge's unit of work. */
  readonly served = { 'start-next': 0, describe: 0, update: 0, 'get-pending': 0, notifications: 0 };
  /** Requests refused before reaching the data plane, by error code (InvalidTopic, InvalidJson, InvalidRequest). */
  readonly refused: Record<string, number> = {};
  /** Requests whose handling failed inside the embedded cloud (answered InternalError); should stay 0. */
  internalErrors = 0;
  /** Health reports recorded, and dropped as invalid (not JSON, or not the schema). */
  readonly healthReports = { recorded: 0, dropped: 0 };
  /** Data-plane subscriptions, one per notification kind and thing, however many clients (re)subscribe. */
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
    const { credentials } = options;
    const broker = await Aedes.createBroker({
      // CONNACK 4 (bad user name or password) unless the client id is a thing and the password its secret. The user
      // name, if sent, must be the same thing; what follows a `?` is ignored, as IoT Core does with the metrics the AWS
      // IoT device SDKs append (`thing?SDK=IoTDeviceSDK/JS&Platform=…`).
      authenticate: (client, username, password, done) => {
        if (credentials.verify(client.id, password) && (username === undefined || username.split('?')[0] === client.id)) return done(null, true);
        done(Object.assign(new Error('not authenticated as this thing'), { returnCode: 4 }) as AuthenticateError, false);
      },
      // A refused publish disconnects the client and a refused subscription is answered with SUBACK 0x80, as AWS IoT
      // Core does for what the policy does not allow.
      authorizePublish: (client, packet, callback) => callback(client && mayPublish(client.id, packet.topic) ? null : new Error('not authorised for this topic')),
      authorizeSubscribe: (client, subscription, callback) => callback(null, maySubscribe(client.id, subscription.topic) ? subscription : null),
    });
    // No Nagle delay: a reply is one small packet the client waits for (with it, each request took ~90 ms on loopback).
    const server = createServer((socket) => {
      socket.setNoDelay(true);
      broker.handle(socket);
    });
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
    broker.on('subscribe', (subscriptions, client) => bridge.subscribed(client, subscriptions.map((s) => s.topic)));
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

  /** The password a thing connects with (its secret under this broker's key). */
  secretFor(thingName: string): string {
    return this.options.credentials.secretFor(thingName);
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

  async close(): Promise<void> {
    for (const watch of this.watches.values()) watch.unsubscribe();
    this.watches.clear();
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private arrived(clientId: string): void {
    this.connected.add(clientId);
    const waiters = this.arrivals.get(clientId);
    this.arrivals.delete(clientId);
    for (const arrive of waiters ?? []) arrive();
  }

  /** A subscription whose filter covers a notification topic starts that notification (wildcards included). */
  private subscribed(client: Client, filters: string[]): void {
    for (const kind of ['notify-next', 'notify'] as const) {
      const topic = jobsTopic(client.id, kind);
      if (filters.some((filter) => filterMatches(filter, topic))) this.watch(kind, client.id);
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Never throws: whatever a client sends, it gets a reply and the process carries on. */
  private async onRequest(clientId: string, topic: string, payload: Buffer): Promise<void> {
    try {
      await this.handle(clientId, topic, payload);
    } catch (error) {
      this.internalErrors += 1;
      const clientToken = clientTokenOf(payload);
      await this.reply(topic, 'rejected', { code: 'InternalError', message: error instanceof Error ? error.message : String(error), ...clientToken }).catch(() => undefined);
    }
  }

  private async handle(clientId: string, topic: string, payload: Buffer): Promise<void> {
    // Basic Ingest (`$aws/rules/<rule>/ota-release/health/<thing>`) reaches the same place: there is one rule here.
    if (healthTopicOf(topic) === healthTopic(clientId)) return this.healthReport(clientId, payload);
    // The broker's policy let through only requests under the client's own namespace (topic-policy.ts).
    if (!topic.startsWith(jobsNamespace(clientId))) return;
    const parsed = parseJobsTopic(topic);
    if (!parsed || parsed.reply || parsed.operation === 'notify' || parsed.operation === 'notify-next') {
      return this.refuse(topic, { code: 'InvalidTopic', message: 'the topic maps to no Jobs API operation' }, payload);
    }
    const operation: JobsOperation = parsed.operation;
    const jobId = parsed.jobId ?? '';
    if ((operation === 'describe' || operation === 'update') && !validJobId(jobId, operation === 'describe')) {
      return this.refuse(topic, { code: 'InvalidRequest', message: 'the jobId in the topic must be 1–64 of [a-zA-Z0-9_-] (or $next to describe)' }, payload);
    }
    const request = parseRequest(operation, payload);
    if (!request.ok) return this.refuse(topic, { code: request.code, message: request.message }, payload);
    try {
      this.options.observe?.(clientId, operation, request.request);
    } catch {
      // What the fleet makes of a request is its business; the device still gets its answer.
    }
    const clientToken = request.request.clientToken === undefined ? {} : { clientToken: request.request.clientToken };
    const body = await this.answer(clientId, operation, jobId, request.request);
    if ('error' in body) return this.reply(topic, 'rejected', { ...errorBody(body.error), ...clientToken });
    return this.reply(topic, 'accepted', { ...body.value, ...clientToken });
  }

  /**
   * A device's health report, checked as the cloud would: a payload that is not JSON or not the schema is dropped and
   * reported, never passed on (and never answered: nobody waits on this topic).
   */
  private healthReport(clientId: string, payload: Buffer): void {
    let parsed: ReturnType<typeof HealthReport.safeParse> | undefined;
    try {
      parsed = HealthReport.safeParse(JSON.parse(payload.toString('utf8')));
    } catch (error) {
      return this.dropHealthReport(clientId, `not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!parsed.success) return this.dropHealthReport(clientId, parsed.error.issues.map((issue) => `${issue.path.join('.') || 'report'}: ${issue.message}`).join('; '));
    this.healthReports.recorded += 1;
    try {
      this.options.health?.record(parsed.data);
    } catch {
      this.internalErrors += 1; // the store's trouble, not the device's: the broker carries on
    }
  }

  private dropHealthReport(clientId: string, problem: string): void {
    this.healthReports.dropped += 1;
    this.options.onBadHealthReport?.(clientId, problem);
  }

  private refuse(topic: string, error: { code: string; message: string }, payload: Buffer): Promise<void> {
    this.refused[error.code] = (this.refused[error.code] ?? 0) + 1;
    return this.reply(topic, 'rejected', { ...error, ...clientTokenOf(payload) });
  }

  private async answer<O extends JobsOperation>(thing: string, operation: O, jobId: string, request: JobsRequest<O>): Promise<{ value: Body } | { error: DataPlaneError }> {
    const { dataPlane } = this.options;
    this.served[operation] += 1;
    switch (operation) {
      case 'start-next': {
        const { statusDetails, stepTimeoutInMinutes } = request as JobsRequest<'start-next'>;
        const result = dataPlane.startNext(thing, { ...(statusDetails ? { statusDetails } : {}), ...(stepTimeoutInMinutes === undefined ? {} : { stepTimeoutInMinutes }) });
        return this.wrap(result, async (execution) => (execution ? { execution: await this.wire(thing, execution) } : {}));
      }
      case 'describe': {
        const { executionNumber, includeJobDocument } = request as JobsRequest<'describe'>;
        const result = dataPlane.describe(thing, jobId, { ...(executionNumber === undefined ? {} : { executionNumber }), ...(includeJobDocument === undefined ? {} : { includeJobDocument }) });
        return this.wrap(result, async (execution) => (execution ? { execution: await this.wire(thing, execution) } : {}));
      }
      case 'update': {
        const { clientToken: _token, ...update } = request as JobsRequest<'update'>;
        const result = dataPlane.update(thing, jobId, update);
        return this.wrap(result, async (value) => ({
          ...(value.executionState ? { executionState: stateOnly(value.executionState) } : {}),
          ...(value.jobDocument ? { jobDocument: asObject(await this.presign(thing, value.jobDocument)) } : {}),
        }));
      }
      default: {
        const result = dataPlane.getPending(thing);
        return this.wrap(result, async (value) => ({ inProgressJobs: value.inProgressJobs.map(summary), queuedJobs: value.queuedJobs.map(summary) }));
      }
    }
  }

  private async wrap<T>(result: DataPlaneResult<T>, shape: (value: T) => Promise<Body>) {
    return result.ok ? { value: await shape(result.value) } : { error: result.error };
  }

  /** The execution as the MQTT API shows it: times in seconds, the job document as a JSON object, presigned for this thing. */
  private async wire(thingName: string, execution: JobExecutionState): Promise<Body> {
    const { jobDocument, queuedAt, startedAt, lastUpdatedAt, ...rest } = execution;
    return {
      ...rest,
      queuedAt: seconds(queuedAt),
      ...(startedAt === undefined ? {} : { startedAt: seconds(startedAt) }),
      lastUpdatedAt: seconds(lastUpdatedAt),
      ...(jobDocument === undefined ? {} : { jobDocument: asObject(await this.presign(thingName, jobDocument)) }),
    };
  }

  private async presign(thingName: string, document: string): Promise<string> {
    return this.options.presign ? this.options.presign(thingName, document) : document;
  }

  private reply(requestTopic: string, outcome: 'accepted' | 'rejected', body: Body): Promise<void> {
    return this.publish(`${requestTopic}/${outcome}`, { ...body, timestamp: seconds(this.now()) });
  }

  private publish(topic: string, body: Body): Promise<void> {
    return new Promise((resolve) => {
      this.broker.publish({ cmd: 'publish', topic, payload: Buffer.from(JSON.stringify(body)), qos: 1, retain: false, dup: false }, () => resolve());
    });
  }

  private watch(kind: Notification, thingName: string): void {
    const key = `${kind} ${thingName}`;
    const existing = this.watches.get(key);
    if (existing) return void existing.clients.add(thingName);
    const unsubscribe = kind === 'notify-next' ? this.watchNext(thingName) : this.watchPending(thingName);
    this.watches.set(key, { unsubscribe, clients: new Set([thingName]) });
  }

  /** NextJobExecutionChanged on `notify-next`: `{ execution?, timestamp }`. */
  private watchNext(thingName: string): () => void {
    return this.options.dataPlane.onNextChanged(thingName, (message) => {
      this.served.notifications += 1;
      this.notify(thingName, 'notify-next', async () => {
        const execution = message.execution ? await this.wire(thingName, message.execution) : undefined;
        return { ...(execution ? { execution } : {}), timestamp: seconds(message.timestamp) };
      });
    });
  }

  /** JobExecutionsChanged on `notify`: `{ jobs: { IN_PROGRESS?: [...], QUEUED?: [...] }, timestamp }`. */
  private watchPending(thingName: string): () => void {
    const { dataPlane } = this.options;
    if (!dataPlane.onPendingChanged) return () => {};
    return dataPlane.onPendingChanged(thingName, (message: PendingChanged) => {
      this.served.notifications += 1;
      this.notify(thingName, 'notify', async () => ({
        jobs: Object.fromEntries(Object.entries(message.jobs).map(([status, executions]) => [status, executions.map(summary)])),
        timestamp: seconds(message.timestamp),
      }));
    });
  }

  /** Publishes a notification; a failure to build one (a presign that throws) costs that message, never the process. */
  private notify(thingName: string, kind: Notification, build: () => Promise<Body>): void {
    void build()
      .then((body) => this.publish(jobsTopic(thingName, kind), body))
      .catch(() => {
        this.internalErrors += 1;
      });
  }

  private unwatch(clientId: string): void {
    for (const [key, watch] of this.watches) {
      watch.clients.delete(clientId);
      if (watch.clients.size === 0) {
        watch.unsubscribe();
        this.watches.delete(key);
      }
    }
  }
}

/** Epoch milliseconds (the engine's clock) as the whole epoch seconds of the MQTT API. */
export function seconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}

function errorBody(error: DataPlaneError): Body {
  return { code: error.code, message: error.message, ...(error.executionState ? { executionState: error.executionState } : {}) };
}

function stateOnly(state: JobExecutionState): Body {
  return { status: state.status, versionNumber: state.versionNumber, ...(state.statusDetails ? { statusDetails: state.statusDetails } : {}) };
}

/** JobExecutionSummary: jobId, times in seconds, versionNumber, executionNumber. */
function summary(state: JobExecutionState): Body {
  return {
    jobId: state.jobId,
    queuedAt: seconds(state.queuedAt),
    ...(state.startedAt ? { startedAt: seconds(state.startedAt) } : {}),
    lastUpdatedAt: seconds(state.lastUpdatedAt),
    versionNumber: state.versionNumber,
    executionNumber: state.executionNumber,
  };
}

function asObject(document: string): unknown {
  try {
    return JSON.parse(document);
  } catch {
    return document;
  }
}
