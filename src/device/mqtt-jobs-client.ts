// The IoT Jobs MQTT API on mqtt.js: mutual TLS to AWS IoT Core (port 8883, or 443 with ALPN `x-amzn-mqtt-ca`), or
// plain TCP to the embedded broker. Requests carry a clientToken; replies arrive on `/accepted` or `/rejected` and are
// matched by it. MQTT 3.1.1, QoS 1, as AWS IoT Core and aedes both speak.
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
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
  /** Reconnect delay; mqtt.js reconnects by itself and the agent re-checks for work on every reconnect. */
  reconnectPeriodMs?: number;
  connectTimeoutMs?: number;
}

interface Pending {
  resolve: (payload: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class MqttJobsClient implements JobsClient {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(execution: JobExecution | undefined) => void>();
  private sequence = 0;
  private readonly prefix = randomBytes(4).toString('hex');

  private constructor(
    private readonly client: MqttClient,
    readonly thingName: string,
    private readonly requestTimeoutMs: number,
  ) {}

  /** Connects and subscribes to the reply and notification topics; resolves once the broker has acknowledged both. */
  static async connect(options: MqttJobsClientOptions): Promise<MqttJobsClient> {
    const client = mqtt.connect(brokerUrl(options.broker), connectOptions(options));
    const jobs = new MqttJobsClient(client, options.thingName, options.requestTimeoutMs ?? 10_000);
    client.on('message', (topic, payload) => jobs.onMessage(topic, payload));
    try {
      const timeoutMs = options.connectTimeoutMs ?? 30_000;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new JobsTimeoutError(`could not connect to ${brokerUrl(options.broker)} within ${timeoutMs / 1000}s`)), timeoutMs);
        client.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        client.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      await client.subscribeAsync(replyTopicFilters(options.thingName), { qos: 1 });
    } catch (error) {
      client.end(true);
      throw error;
    }
    // After a reconnect the broker may have dropped notifications: tell the agent to ask what is next.
    client.on('connect', () => {
      void client.subscribeAsync(replyTopicFilters(options.thingName), { qos: 1 }).catch(() => undefined);
      for (const listener of jobs.listeners) listener(undefined);
    });
    client.on('error', () => undefined); // reported through request timeouts; mqtt.js keeps reconnecting
    return jobs;
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

  onNextChanged(listener: (execution: JobExecution | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const [token, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new JobsTimeoutError('the MQTT connection was closed'));
      this.pending.delete(token);
    }
    // Forced: no reconnect and no wait for in-flight QoS 1 acknowledgements from a broker that may be going away.
    await this.client.endAsync(true);
  }

  private async request(operation: string, body: object): Promise<Record<string, unknown>> {
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
    reconnectPeriod: options.reconnectPeriodMs ?? 5000,
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
