// agent.json: what a gateway needs to take updates. Validated with zod once, at start; every problem is reported with
// its path, and files it names (certificate, key, CA, public key) are read and checked before anything connects.
// Relative paths resolve against the configuration file's directory.
import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { duration } from '#domain/duration.ts';
import { DEFAULT_REPORT_EVERY_SECONDS } from '#domain/health-report.ts';
import { formatIssues } from '#domain/problems.ts';
import { AgentConfigError } from './errors.ts';
import { pinPublicKey } from './verifier.ts';

/** agent.json and the key, certificate and CA files it names are small; a bigger file (or /dev/zero) is refused. */
const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

const DOWNLOAD_DEFAULTS = {
  minBytesPerSecond: 1024,
  stallWindow: 30,
  maxAttemptsWithoutProgress: 8,
  headerTimeout: 30,
  maxInformationalResponses: 10,
  attemptDeadline: 3600,
  deadline: 6 * 3600,
  maxImageBytes: 2 * 1024 ** 3,
};

const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const command = z.array(z.string().min(1)).min(1);

export const AgentConfig = z.strictObject({
  /** The AWS IoT thing this gateway is; also the MQTT client id. */
  thingName: z.string().regex(THING_NAME, 'letters, digits, :, _ and - only, at most 128'),
  broker: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('aws-iot'),
      /** `aws iot describe-endpoint --endpoint-type iot:Data-ATS`. */
      endpoint: z.string().min(1),
      port: z.union([z.literal(8883), z.literal(443)]).default(8883),
      certificateFile: z.string().min(1),
      privateKeyFile: z.string().min(1),
      caFile: z.string().min(1).optional(),
    }),
    z.strictObject({
      kind: z.literal('mqtt'),
      /** A local broker, e.g. the embedded one of `ota-release simulate --mqtt`: mqtt://127.0.0.1:1883. */
      url: z.string().regex(/^mqtts?:\/\/[^\s]+$/, 'expected mqtt://host:port or mqtts://host:port'),
      /** The thing's secret, as `simulate --mqtt --extra-thing` writes it (.ota-release/things/<thing>.secret). */
      passwordFile: z.string().min(1).optional(),
    }),
  ]),
  /** The product this gateway is: manifests for any other are refused, and health reports name it. */
  product: z.string().min(1).max(128).optional(),
  /** Slots, boot marker and journal live here; it must survive reboots. */
  stateDir: z.string().min(1),
  /** PEM (SPKI) ECDSA P-256 public key that release images are signed with. */
  publicKeyFile: z.string().min(1),
  /** The version in slot a the first time the agent starts on this state directory. */
  factoryVersion: z.string().min(1).max(64),
  download: z
    .strictObject({
      minBytesPerSecond: z.number().int().min(1).default(DOWNLOAD_DEFAULTS.minBytesPerSecond),
      stallWindow: duration({ min: 1, max: 3600 }).default(DOWNLOAD_DEFAULTS.stallWindow),
      /** Attempts in a row that bring no byte past the furthest ever received before giving up. */
      maxAttemptsWithoutProgress: z.number().int().min(1).max(100).default(DOWNLOAD_DEFAULTS.maxAttemptsWithoutProgress),
      /** From sending a request to the final response headers; 1xx responses and trickled bytes do not extend it. */
      headerTimeout: duration({ min: 1, max: 3600 }).default(DOWNLOAD_DEFAULTS.headerTimeout),
      maxInformationalResponses: z.number().int().min(0).max(100).default(DOWNLOAD_DEFAULTS.maxInformationalResponses),
      /** One request, from sending it to its last byte. */
      attemptDeadline: duration({ min: 1, max: 7 * 86400 }).default(DOWNLOAD_DEFAULTS.attemptDeadline),
      /** The whole download: every attempt, pause and URL refresh. */
      deadline: duration({ min: 1, max: 30 * 86400 }).default(DOWNLOAD_DEFAULTS.deadline),
      /** The agent's own ceiling on an image, whatever a document declares. */
      maxImageBytes: z.number().int().min(1).default(DOWNLOAD_DEFAULTS.maxImageBytes),
    })
    .default(DOWNLOAD_DEFAULTS),
  jobs: z
    .strictObject({
      /** stepTimeoutInMinutes sent with every IN_PROGRESS update (1–10,080 minutes). */
      stepTimeout: duration({ min: 60, max: 10080 * 60 }).default(1800),
      requestTimeout: duration({ min: 1, max: 300 }).default(10),
      progressEveryPercent: z.number().int().min(1).max(100).default(25),
    })
    .default({ stepTimeout: 1800, requestTimeout: 10, progressEveryPercent: 25 }),
  /** Reconnects to the broker: exponential backoff with jitter, from `minDelay` doubling up to `maxDelay`. */
  reconnect: z
    .strictObject({
      minDelay: duration({ min: 1, max: 3600 }).default(1),
      maxDelay: duration({ min: 1, max: 86400 }).default(120),
      /** A connection that stays up this long starts the backoff over from `minDelay`. */
      stableAfter: duration({ min: 1, max: 86400 }).default(30),
    })
    .default({ minDelay: 1, maxDelay: 120, stableAfter: 30 }),
  boot: z.strictObject({ maxTrialBoots: z.number().int().min(1).max(10).default(1) }).default({ maxTrialBoots: 1 }),
  /** Health reports on `ota-release/health/<thingName>` (docs/device-agent.md, Health reports). */
  health: z
    .strictObject({
      /**
       * `when-asked`: from the first job document with a `health` block on; `always`: from boot, so devices not yet
       * updated serve as the release's control (the IoT policy must allow the topic); `never`.
       */
      report: z.enum(['when-asked', 'always', 'never']).default('when-asked'),
      /** The period until a release says otherwise. */
      reportEvery: duration({ min: 10, max: 86400 }).default(DEFAULT_REPORT_EVERY_SECONDS),
      /** The warm-up after an update until a release says otherwise. */
      warmUp: duration({ min: 0, max: 7 * 86400 }).default(1800),
      /** A file holding the application's cumulative crash count, which the device's supervisor increments. */
      crashCounterFile: z.string().min(1).optional(),
      /** Or a command printing it, e.g. ["systemctl", "show", "-p", "NRestarts", "--value", "gateway-app.service"]. */
      crashCounterCommand: command.optional(),
      /**
       * The stack's health rule (output HealthRuleName): reports go through AWS IoT Basic Ingest to it, which skips the
       * message broker's per-message charge. The device policy must allow publishing on `$aws/rules/<rule>/...`.
       */
      basicIngestRule: z.string().regex(/^[a-zA-Z0-9_]{1,128}$/, 'an IoT rule name: letters, digits and _ only').optional(),
    })
    .refine((health) => !(health.crashCounterFile && health.crashCounterCommand), { message: 'give crashCounterFile or crashCounterCommand, not both' })
    .default({ report: 'when-asked', reportEvery: DEFAULT_REPORT_EVERY_SECONDS, warmUp: 1800 }),
  hooks: z
    .strictObject({
      /** Command that reboots the gateway, e.g. ["systemctl", "reboot"]. Absent: the agent reboots in process. */
      reboot: command.optional(),
      /** Command run after booting a new image; exit status 0 means healthy. */
      selfTest: command.optional(),
      selfTestTimeout: duration({ min: 1, max: 3600 }).default(120),
    })
    .default({ selfTestTimeout: 120 }),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

/** The configuration with its files read: what the agent runs with. */
export interface LoadedAgentConfig {
  config: AgentConfig;
  stateDir: string;
  publicKeyPem: string;
  tls?: { certificate: Buffer; privateKey: Buffer; ca?: Buffer };
  /** The local broker's password for this thing (broker.passwordFile, trimmed). */
  password?: string;
}

export async function loadAgentConfig(file: string): Promise<LoadedAgentConfig> {
  let text: string;
  try {
    text = (await readBounded(file)).toString('utf8');
  } catch (error) {
    throw new AgentConfigError([`${file}: cannot read (${describeReadError(error)})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AgentConfigError([`${file}: not valid JSON (${(error as Error).message})`]);
  }
  // reportInput: the problems say what was written (`expected a string, got 5`), as the release file's do.
  const parsed = AgentConfig.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new AgentConfigError(formatIssues(parsed.error.issues));
  const config = parsed.data;
  const base = dirname(resolve(file));
  const problems: string[] = [];
  const read = async (path: string, where: string) => {
    try {
      return await readBounded(resolve(base, path));
    } catch (error) {
      problems.push(`${where}: cannot read ${resolve(base, path)} (${describeReadError(error)})`);
      return Buffer.alloc(0);
    }
  };
  const publicKeyPem = (await read(config.publicKeyFile, 'publicKeyFile')).toString('utf8');
  if (publicKeyPem !== '') {
    try {
      pinPublicKey(publicKeyPem, 'publicKeyFile');
    } catch (error) {
      problems.push(...((error as AgentConfigError).problems ?? [String(error)]));
    }
  }
  let tls: LoadedAgentConfig['tls'];
  if (config.broker.kind === 'aws-iot') {
    const ca = config.broker.caFile === undefined ? undefined : await read(config.broker.caFile, 'broker.caFile');
    tls = { certificate: await read(config.broker.certificateFile, 'broker.certificateFile'), privateKey: await read(config.broker.privateKeyFile, 'broker.privateKeyFile'), ...(ca ? { ca } : {}) };
  }
  const password = config.broker.kind === 'mqtt' && config.broker.passwordFile !== undefined ? (await read(config.broker.passwordFile, 'broker.passwordFile')).toString('utf8').trim() : undefined;
  if (problems.length > 0) throw new AgentConfigError(problems);
  const health = config.health.crashCounterFile === undefined ? config.health : { ...config.health, crashCounterFile: resolve(base, config.health.crashCounterFile) };
  return { config: { ...config, health }, stateDir: resolve(base, config.stateDir), publicKeyPem, ...(tls ? { tls } : {}), ...(password ? { password } : {}) };
}

class FileTooLargeError extends Error {}

/** Reads at most MAX_CONFIG_FILE_BYTES; a longer file (or an endless one such as /dev/zero) is an error, not a hang. */
async function readBounded(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_CONFIG_FILE_BYTES) throw new FileTooLargeError(`larger than ${MAX_CONFIG_FILE_BYTES} bytes`);
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

function describeReadError(error: unknown): string {
  if (error instanceof FileTooLargeError) return error.message;
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
