// The deployed artefact, not the source: functions bundled exactly as `npm run package` bundles them (serverless.yml's
// custom.esbuild and functions/lib/esbuild-plugins.mjs, which rewrite zod imports and leave parts of the X-Ray SDK
// out), then invoked in a fresh node process with Lambda's environment against loopback stand-ins for the AWS API
// (HTTP) and the X-Ray daemon (UDP). Checks that what the plugins change keeps the functions doing what they do:
// input validated by zod with every problem and its path, the AWS call made, traced, and counted.
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';

type LambdaBuild = { options: BuildOptions; plugins: Plugin[]; functions: { name: string; entry: string }[] };
const { lambdaBuild } = (await import(new URL('../../functions/lib/lambda-build.mjs', import.meta.url).href)) as { lambdaBuild: () => Promise<LambdaBuild> };
const esbuild = await import('esbuild');

const TRACE_ID = '1-6745a1b2-0123456789abcdef01234567';
const INVOKE = `
const { handler } = await import(process.env.BUNDLE);
const context = { functionName: 'bundle-test', functionVersion: '$LATEST', awsRequestId: 'req-1', memoryLimitInMB: '512',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bundle-test', logGroupName: '/aws/lambda/bundle-test',
  logStreamName: 'stream', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30000 };
let outcome;
try { outcome = { result: await handler(JSON.parse(process.env.EVENT), context) }; }
catch (error) { outcome = { error: { name: error.name, message: error.message } }; }
process.stdout.write('OUTCOME ' + JSON.stringify(outcome) + '\\n');
`;

const dir = mkdtempSync(join(tmpdir(), 'ota-release-bundles-'));
let build: LambdaBuild;
let api: Server;
let daemon: Socket;
const apiCalls: { target: string | undefined; body: unknown }[] = [];
const segments: Record<string, unknown>[] = [];

async function bundle(name: string, plugins = build.plugins): Promise<{ outfile: string; metafile: Metafile }> {
  const fn = build.functions.find((f) => f.name === name)!;
  const outfile = join(dir, `${name}-${plugins.map((p) => p.name).join('+')}.mjs`);
  const result = await esbuild.build({ ...build.options, entryPoints: [fn.entry], outfile, plugins, metafile: true, logLevel: 'silent' });
  return { outfile, metafile: result.metafile };
}

function invoke(outfile: string, event: unknown): Promise<{ outcome: { result?: unknown; error?: { name: string; message: string } }; stdout: string }> {
  const env = {
    PATH: process.env.PATH,
    AWS_LAMBDA_FUNCTION_NAME: 'bundle-test',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: dir,
    _HANDLER: 'handler',
    _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`,
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example',
    POWERTOOLS_SERVICE_NAME: 'ota-release',
    POWERTOOLS_METRICS_NAMESPACE: 'OtaRelease',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
    ACCOUNT_ID: '123456789012',
    RELEASE_TABLE: 'ota-release-test',
    FIRMWARE_BUCKET: 'firmware-bucket',
    SIGNER_PROFILE: 'ota_release_firmware',
    EVENT_BUS_NAME: 'ota-release-test-releases',
    BUNDLE: outfile,
    EVENT: JSON.stringify(event),
  };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '--no-warnings', '-e', INVOKE], { env, timeout: 20_000 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('OUTCOME '));
      if (!line) reject(new Error(`the bundle did not answer (${error?.message ?? 'no outcome'}): ${stderr}`));
      else resolve({ outcome: JSON.parse(line.slice('OUTCOME '.length)), stdout });
    });
  });
}

/** Waits (up to 5 s) for datagrams the child sent just before it exited, which may be read after its exit is seen. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  build = await lambdaBuild();
  api = createServer(async (request, response) => {
    apiCalls.push({ target: request.headers['x-amz-target'] as string | undefined, body: JSON.parse((await readBody(request)) || 'null') });
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] }));
  });
  daemon = createSocket('udp4');
  // Each datagram is a header line then one segment or subsegment document.
  daemon.on('message', (message) => segments.push(JSON.parse(message.toString('utf8').split('\n')[1]!)));
  await Promise.all([new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve)), new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve))]);
});

afterAll(async () => {
  await new Promise((resolve) => api.close(resolve));
  await new Promise<void>((resolve) => daemon.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const failed = { eventType: 'JOB_EXECUTION', eventId: 'e-1', timestamp: 1_790_000_000, operation: 'failed', jobId: 'gw-2-4-0-s0', thingArn: 'arn:aws:iot:eu-west-1:123456789012:thing/gw-1', status: 'FAILED' };

describe('Lambda bundles', () => {
  it('relays a job event through the bundled relay-job-events: PutEvents made, traced as a subsegment of the handler, and counted', async () => {
    const { outfile } = await bundle('relayJobEvents');

    const { outcome, stdout } = await invoke(outfile, failed);

    expect(outcome).toEqual({ result: { relayed: 1 } });
    expect(apiCalls).toEqual([{ target: 'AWSEvents.PutEvents', body: { Entries: [expect.objectContaining({ Source: 'ota-release.iot-jobs', EventBusName: 'ota-release-test-releases' })] } }]);
    await until(() => segments.some((s) => s.name === 'EventBridge') && segments.some((s) => s.name === '## handler'));
    const handlerSegment = segments.find((s) => s.name === '## handler');
    const awsSubsegment = segments.find((s) => s.name === 'EventBridge');
    expect(handlerSegment).toEqual(expect.objectContaining({ trace_id: TRACE_ID, type: 'subsegment' }));
    expect(awsSubsegment).toEqual(expect.objectContaining({ trace_id: TRACE_ID, namespace: 'aws', aws: expect.objectContaining({ operation: 'PutEvents' }) }));
    expect(stdout).toContain('"JobEventsRelayed"');
  });

  it.each([
    ['onJobEvent', { source: 'ota-release.iot-jobs', 'detail-type': 'IoT Job Execution Event', detail: { ...failed, jobId: '' } }, ['version', 'detail.jobId', 'account']],
    ['signFirmware', { request: { releaseId: 'bad id!', product: 'edge-gateway' } }, ['request.releaseId', 'request.firmware', 'request.stages']],
  ])('rejects bad input to the bundled %s with every problem and its path', async (name, event, paths) => {
    const { outfile } = await bundle(name);

    const { outcome } = await invoke(outfile, event);

    expect(outcome.error?.name).toBe('InvalidTaskInputError');
    for (const path of paths) expect(outcome.error?.message).toContain(path);
  });

  it.each<[string, string, { body?: string; error?: string }]>([
    ['its checksum matches', 'sha256 of the body', { body: 'firmware image' }],
    ['its checksum does not match', 'sha256 of something else', { error: 'Checksum mismatch' }],
  ])('still checks a web-stream body whose checksum stream class is now declared on demand, when %s', async (_, expected, outcome) => {
    const entry = `import { createHash } from 'node:crypto';
import { createChecksumStream } from '@smithy/core/serde';
const sha256 = (text) => createHash('sha256').update(text).digest('base64');
export async function run(expected) {
  const hash = createHash('sha256');
  const checksum = { update: (chunk) => hash.update(chunk), digest: async () => hash.digest() };
  const source = new Blob(['firmware image']).stream();
  const stream = createChecksumStream({ expectedChecksum: sha256(expected), checksum, source, checksumSourceLocation: 'x-amz-checksum-sha256' });
  if (!(stream instanceof ReadableStream)) return { error: 'not a ReadableStream' };
  try { return { body: await new Response(stream).text() }; } catch (error) { return { error: error.message }; }
}`;
    const outfile = join(dir, 'checksum.mjs');
    await esbuild.build({ ...build.options, stdin: { contents: entry, resolveDir: build.options.absWorkingDir!, sourcefile: 'checksum-entry.mjs' }, outfile, plugins: build.plugins, logLevel: 'silent' });
    const { run } = (await import(outfile)) as { run: (expected: string) => Promise<{ body?: string; error?: string }> };

    const result = await run(expected === 'sha256 of the body' ? 'firmware image' : 'another image');

    if (outcome.error) expect(result.error).toContain(outcome.error);
    else expect(result).toEqual(outcome);
  });

  it('keeps only the zod a function uses, and none of X-Ray’s SDK v2 patcher, semver or centralized sampling', async () => {
    // What ends up in the bundle: the metafile also lists modules that were read and then shaken out entirely.
    const inputs = async (plugins: Plugin[]) => {
      const [output] = Object.values((await bundle('relayJobEvents', plugins)).metafile.outputs);
      return Object.entries(output!.inputs).filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([path]) => path);
    };
    const shipped = await inputs(build.plugins);
    const unshaken = await inputs(build.plugins.filter((p) => p.name !== 'own-source-rewrites' && p.name !== 'xray-lambda-only'));

    for (const leftOut of [/^node_modules\/zod\/v4\/classic\/from-json-schema\.js$/, /^node_modules\/semver\//, /\/sampling\/service_connector\.js$/, /\/plugins\/ec2_plugin\.js$/]) {
      expect(unshaken.filter((path) => leftOut.test(path))).not.toEqual([]);
      expect(shipped.filter((path) => leftOut.test(path))).toEqual([]);
    }
  });
});
