// The IoT Jobs MQTT API on mqtt.js: mutual TLS to AWS IoT Core (port 8883, or 443 with ALPN `x-amzn-mqtt-ca`), or
// plain TCP to the embedded broker. Requests carry a clientToken; replies arrive on `/accepted` or `/rejected` and are
// matched by it. MQTT 3.1.1, QoS 1, as AWS IoT Core and aedes both speak.
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { backoffDelay, DEFAULT_RECONNECT, type BackoffPolicy } from './backoff.ts';
import { JobsRejectedError, JobsTimeoutError } from './errors.ts';
import { executionFromWire, jobsTopic, parseJobsTopic, replyTopicFilters, type JobExecution, type JobsClient, type UpdateExecutionRequest, type UpdateExecutionResponse } from './jobs-client.ts';

export type BrokerConnection =
  | { kind: 'aws-iot'; endpoint: string; port?: number; certificate: string | Buffer; privateKey: string | Buffer; ca?: string | Buffer }
  /** A local broker; `password` is the thing's secret where the broker authenticates things (the embedded one does). */
  | { kind: 'mqtt'; url: string; password?: string };

export interface MqttJobsClientOptions {
  thingName: string;
  broker: BrokerConnection;
  /** How long to wait for an accepted/rejected reply. */
  requestTimeoutMs?: number;
  /** Reconnect delays (exponential backoff with jitter); the agent re-checks for work on every reconnect. */
  reconnect?: Partial<BackoffPolicy> & {
    /** A connection that stays up this long resets the backoff to its first window. */
    stableAfterMs?: number;
    random?: () => number;
  };
  /** Per attempt: how long to wait for the broker's CONNACK. */
  connectTimeoutMs?: number;
  /** Connection changes, for the agent's log. */
  onConnection?: (event: ConnectionEvent) => void;
  /** Aborting it gives up waiting for the first connection (SIGINT while the broker is still down). */
  signal?: AbortSignal;
}

export type ConnectionEvent =
  | { state: 'connected'; attempt: number }
  /** The connection failed or dropped; the next attempt is in `retryInMs`. */
  | { state: 'disconnected'; retryInMs: number; attempt: number; error?: string };

interface Pending {
  resolve: (payload: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class MqttJobsClient implements JobsClient {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(execution: JobExecution | undefined) => void>();
  private sequence = 0;
  private closing = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly prefix = randomBytes(4).toString('hex');

  private constructor(
    private readonly client: MqttClient,
    readonly thingName: string,
    private readonly requestTimeoutMs: number,
  ) {}

  /**
   * Connects and subscribes to the reply and notification topics. While the broker is down or refuses the connection
   * it keeps trying, with exponential backoff and jitter, and resolves once the broker has acknowledged both; it rejects
   * only when `signal` aborts first. Later drops are retried the same way, and each reconnect tells the listeners to
   * ask what is next, so work in hand resumes.
   */
  static async connect(options: MqttJobsClientOptions): Promise<MqttJobsClient> {
    const client = mqtt.connect(brokerUrl(options.broker), connectOptions(options));
    const jobs = new MqttJobsClient(client, options.thingName, options.requestTimeoutMs ?? 10_000);
    client.on('message', (topic, payload) => jobs.onMessage(topic, payload));
    const connected = jobs.supervise(options);
    try {
      await connected;
    } catch (error) {
      await jobs.close();
      throw error;
    }
    return jobs;
  }

  /** Reconnects with backoff for as long as the client is open; resolves at the first subscribed connection. */
  private supervise(options: MqttJobsClientOptions): Promise<void> {
    const policy = { ...DEFAULT_RECONNECT, ...options.reconnect };
    const random = options.reconnect?.random ?? Math.random;
    let attempt = 0;
    let lastError: string | undefined;
    let stable: NodeJS.Timeout | undefined;
    let first = true;
    const { client } = this;
    client.on('error', (error) => {
      lastError = error.message; // reported with the next `disconnected` event; the backoff handles it
    });
    return new Promise<void>((resolve, reject) => {
      const giveUp = () => reject(new JobsTimeoutError(`stopped before a connection to ${brokerUrl(options.broker)} was made`));
      if (options.signal?.aborted) return giveUp();
      options.signal?.addEventListener('abort', giveUp, { once: true });
      client.on('connect', () => {
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        const connectedAttempt = attempt;
        client
          .subscribeAsync(replyTopicFilters(options.thingName), { qos: 1 })
          .then(() => {
            options.onConnection?.({ state: 'connected', attempt: connectedAttempt });
            stable = setTimeout(() => {
              attempt = 0;
            }, policy.stableAfterMs);
            stable.unref();
            if (first) {
              first = false;
              options.signal?.removeEventListener('abort', giveUp);
              return resolve();
            }
            // After a reconnect the broker may have dropped notifications: tell the agent to ask what is next.
            for (const listener of this.listeners) listener(undefined);
          })
          .catch((error: unknown) => {
            lastError = error instanceof Error ? error.message : String(error);
            client.stream?.destroy(); // without its subscriptions the connection is useless: drop it and retry
          });
      });
      client.on('close', () => {
        clearTimeout(stable);
        // A clean session loses the subscriptions, so no reply to a request in flight will come: fail them now.
        this.failPending('the MQTT connection dropped');
        if (this.closing || this.retryTimer) return;
        const retryInMs = backoffDelay(attempt, policy, random);
        attempt += 1;
        options.onConnection?.({ state: 'disconnected', retryInMs, attempt, ...(lastError ? { error: lastError } : {}) });
        lastError = undefined;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          if (!this.closing) client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
        }, retryInMs);
      });
    });
  }

  async startNext(request: { statusDetails?: Record<string, string>; stepTimeoutInMinutes?: number }): Promise<JobExecution | undefined> {
    const reply = await this.request('start-next', request);
    return executionFromWire(reply.execution);
  }

  async describe(jobId: string, request: { executionNumber?: number; includeJobDocument?: boolean }): Promise<JobExecution | undefined> {
    const reply = await this.request(`${jobId}/get`, request);
    return executionFromWire(reply.execution);
  }

  async update(jobId: string, request: UpdateExecutionRequest): Promise<UpdateExecutionResponse> {
    const reply = await this.request(`${jobId}/update`, request);
    const state = reply.executionState as UpdateExecutionResponse['executionState'] | undefined;
    const document = reply.jobDocument;
    return {
      ...(state ? { executionState: state } : {}),
      ...(document === undefined ? {} : { jobDocument: typeof document === 'string' ? document : JSON.stringify(document) }),
    };
  }

  /**
   * Publishes one message at QoS 1 (the health report); resolves on the broker's PUBACK. Offline it fails at once, so
   * the caller keeps what the message carried for the next one instead of queueing stale reports.
   */
  async publish(topic: string, payload: string): Promise<void> {
    if (!this.client.connected) throw new JobsTimeoutError(`not connected to the broker; nothing published on ${topic}`);
    await this.client.publishAsync(topic, payload, { qos: 1 });
  }

  onNextChanged(listener: (execution: JobExecution | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    this.failPending('the MQTT connection was closed');
    // Forced: no reconnect and no wait for in-flight QoS 1 acknowledgements from a broker that may be going away.
    await this.client.endAsync(true);
  }

  private failPending(why: string): void {
    for (const [token, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new JobsTimeoutError(why));
      this.pending.delete(token);
    }
  }

  private async request(operation: string, body: object): Promise<Record<string, unknown>> {
    // Offline, no answer can come: say so at once rather than after the timeout (a reconnect re-checks for work).
    if (!this.client.connected) throw new JobsTimeoutError(`not connected to the broker; ${operation} not sent`);
    // clientToken: at most 64 characters.
    const clientToken = `${this.prefix}-${(this.sequence += 1)}`;
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(clientToken);
        reject(new JobsTimeoutError(`no answer to ${operation} within ${this.requestTimeoutMs / 1000}s`));
      }, this.requestTimeoutMs);
      this.pending.set(clientToken, { resolve, reject, timer });
    });
    this.client.publish(jobsTopic(this.thingName, operation), JSON.stringify({ ...body, clientToken }), { qos: 1 }, (error) => {
      if (error) this.settle(clientToken, undefined, new JobsTimeoutError(`could not publish ${operation}: ${error.message}`));
    });
    return reply;
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseJobsTopic(topic);
    // The thing name in the topic is checked: replies for another thing are not ours (aws-facts §2).
    if (!parsed || parsed.thingName !== this.thingName) return;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    if (parsed.operation === 'notify-next') {
      const execution = executionFromWire(body.execution);
      for (const listener of this.listeners) listener(execution);
      return;
    }
    if (!parsed.reply || typeof body.clientToken !== 'string') return;
    if (parsed.reply === 'accepted') return this.settle(body.clientToken, body);
    const state = body.executionState as JobsRejectedError['executionState'];
    this.settle(body.clientToken, undefined, new JobsRejectedError(String(body.code ?? 'Unknown'), String(body.message ?? ''), state));
  }

  private settle(clientToken: string, body: Record<string, unknown> | undefined, error?: Error): void {
    const pending = this.pending.get(clientToken);
    if (!pending) return; // a duplicate (QoS 1 redelivery) or a reply after the timeout
    this.pending.delete(clientToken);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(body ?? {});
  }
}

function brokerUrl(broker: BrokerConnection): string {
  return broker.kind === 'mqtt' ? broker.url : `mqtts://${broker.endpoint}:${broker.port ?? 8883}`;
}

function connectOptions(options: MqttJobsClientOptions): IClientOptions {
  const common: IClientOptions = {
    clientId: options.thingName, // AWS IoT policies usually tie the client id to the thing name
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    reconnectPeriod: 0, // reconnects are ours, with backoff and jitter (mqtt.js only knows a fixed period)
    connectTimeout: options.connectTimeoutMs ?? 30_000,
  };
  const broker = options.broker;
  if (broker.kind === 'mqtt') return broker.password === undefined ? common : { ...common, username: options.thingName, password: broker.password };
  return {
    ...common,
    key: broker.privateKey,
    cert: broker.certificate,
    ...(broker.ca === undefined ? {} : { ca: broker.ca }),
    rejectUnauthorized: true,
    // Port 443 needs ALPN to reach MQTT on AWS IoT Core.
    ...(broker.port === 443 ? { ALPNProtocols: ['x-amzn-mqtt-ca'] } : {}),
  };
}
