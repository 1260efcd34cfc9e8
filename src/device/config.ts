// agent.json: what a gateway needs to take updates. Validated with zod once, at start; every problem is reported with
// its path, and files it names (certificate, key, CA, public key) are read and checked before anything connects.
// Relative paths resolve against the configuration file's directory.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { duration } from '#domain/duration.ts';
import { formatIssues } from '#domain/problems.ts';
import { AgentConfigError } from './errors.ts';
import { pinPublicKey } from './verifier.ts';

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
  /** Slots, boot marker and journal live here; it must survive reboots. */
  stateDir: z.string().min(1),
  /** PEM (SPKI) ECDSA P-256 public key that release images are signed with. */
  publicKeyFile: z.string().min(1),
  /** The version in slot a the first time the agent starts on this state directory. */
  factoryVersion: z.string().min(1).max(64),
  download: z
    .strictObject({
      minBytesPerSecond: z.number().int().min(1).default(1024),
      stallWindow: duration({ min: 1, max: 3600 }).default(30),
      maxAttemptsWithoutProgress: z.number().int().min(1).max(100).default(8),
    })
    .default({ minBytesPerSecond: 1024, stallWindow: 30, maxAttemptsWithoutProgress: 8 }),
  jobs: z
    .strictObject({
      /** stepTimeoutInMinutes sent with every IN_PROGRESS update (1–10,080 minutes). */
      stepTimeout: duration({ min: 60, max: 10080 * 60 }).default(1800),
      requestTimeout: duration({ min: 1, max: 300 }).default(10),
      progressEveryPercent: z.number().int().min(1).max(100).default(25),
    })
    .default({ stepTimeout: 1800, requestTimeout: 10, progressEveryPercent: 25 }),
  boot: z.strictObject({ maxTrialBoots: z.number().int().min(1).max(10).default(1) }).default({ maxTrialBoots: 1 }),
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
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AgentConfigError([`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
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
      return await readFile(resolve(base, path));
    } catch (error) {
      problems.push(`${where}: cannot read ${resolve(base, path)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
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
  return { config, stateDir: resolve(base, config.stateDir), publicKeyPem, ...(tls ? { tls } : {}), ...(password ? { password } : {}) };
}
