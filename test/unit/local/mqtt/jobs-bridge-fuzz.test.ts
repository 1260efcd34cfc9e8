// No client can crash the embedded cloud: random topics in a thing's jobs namespace and random payloads (JSON of any
// shape, the documented fields with values of the wrong type, raw bytes) each get a documented reply on
// the request's /accepted or /rejected topic, nothing fails inside the bridge, and the engine's clock still runs.
import fc from 'fast-check';
import { JobsMqttBridge } from '#local/mqtt/jobs-bridge.ts';
import { ThingCredentials } from '#local/mqtt/thing-credentials.ts';
import { isServiceTopic, maySubscribe } from '#local/mqtt/topic-policy.ts';
import { harness, settle, spec, START } from '../iot-jobs/harness.ts';
import { RawThing } from './raw-thing.ts';

const DOCUMENTED_CODES = ['InvalidTopic', 'InvalidJson', 'InvalidRequest', 'InvalidStateTransition', 'ResourceNotFound', 'VersionMismatch', 'TerminalStateReached'];
const OPERATIONS = ['start-next', 'get', 'job-1/get', '$next/get', 'job-1/update', 'job-2/update', 'nope/get'];
const FIELDS = ['clientToken', 'status', 'statusDetails', 'stepTimeoutInMinutes', 'expectedVersion', 'executionNumber', 'includeJobDocument', 'includeJobExecutionState'];

/** A topic level: the documented ones, `$next`, or a random printable string without MQTT wildcards. */
const level = fc.oneof(
  fc.constantFrom('start-next', 'get', 'update', 'notify', 'notify-next', '$next', 'job-1', 'accepted', 'rejected', ''),
  fc.string({ minLength: 1, maxLength: 12 }).map((text) => text.replace(/[+#\u0000/]/g, 'x')),
);
const suffix = fc.oneof(fc.constantFrom(...OPERATIONS), fc.array(level, { minLength: 1, maxLength: 4 }).map((levels) => levels.join('/')));
/** Payloads: a documented-looking request with fields of any JSON type, any JSON value, or bytes. */
const payload = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(fc.jsonValue(), fc.constantFrom('IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED'), fc.dictionary(fc.string(), fc.jsonValue()))).map((body) => JSON.stringify(body)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.constantFrom('null', '[]', '"x"', '0', ''),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);

it('answers every request in the namespace with a documented reply and never fails inside', async () => {
  const cloud = harness(2);
  const bridge = await JobsMqttBridge.start({
    dataPlane: cloud.dataPlane,
    credentials: ThingCredentials.generate(),
    now: () => cloud.scheduler.nowMs(),
    // As the MQTT fleet does with what an external agent says it runs.
    observe: (_thing, _operation, request) => void (request.statusDetails as Record<string, unknown> | undefined)?.runningVersion,
  });
  await cloud.jobs.createJob(spec());
  await cloud.jobs.createJob(spec({ jobId: 'job-2' }));
  const thing = await RawThing.connect(bridge, 't-000001', ['$aws/things/t-000001/jobs/+/rejected', '$aws/things/t-000001/jobs/+/accepted', '$aws/things/t-000001/jobs/+/+/+', '$aws/things/t-000001/jobs/+/+/+/+', '$aws/things/t-000001/jobs/+/+/+/+/+']);
  try {
    await fc.assert(
      fc.asyncProperty(suffix, payload, async (topicSuffix, body) => {
        const topic = thing.topic(topicSuffix);
        fc.pre(!isServiceTopic(topic) && topicSuffix.length > 0);
        const reply = await thing.request(topicSuffix, body);
        if (reply.outcome === 'rejected') expect(DOCUMENTED_CODES).toContain(reply.body.code);
        expect(Number.isInteger(reply.body.timestamp)).toBe(true);
        expect(bridge.internalErrors).toBe(0);
      }),
      { numRuns: 300, seed: 12 },
    );
    // The engine's timers (in-progress timeouts the fuzzing may have started) still run.
    await settle(cloud.scheduler, START + 3_600_000);
    expect(thing.client.connected).toBe(true);
  } finally {
    await thing.close();
    await bridge.close();
  }
}, 60_000);

it('grants exactly the subscriptions the thing policy allows, whatever the filter', async () => {
  const cloud = harness(2);
  const bridge = await JobsMqttBridge.start({ dataPlane: cloud.dataPlane, credentials: ThingCredentials.generate() });
  const thing = await RawThing.connect(bridge, 't-000001', []);
  const filterLevel = fc.constantFrom('$aws', 'things', 't-000001', 't-000002', 'jobs', '+', 'get', 'notify-next', 'start-next', 'accepted', 'other');
  const levels = fc.tuple(fc.array(filterLevel, { minLength: 1, maxLength: 7 }), fc.boolean()).map(([parts, rest]) => [...parts, ...(rest ? ['#'] : [])].join('/'));
  // Half of them under the thing's own namespace, where the policy grants: both answers get tried.
  const filter = fc.oneof(levels, levels.map((rest) => `$aws/things/t-000001/jobs/${rest}`), fc.constant('$aws/things/t-000001/jobs/#'));
  try {
    await fc.assert(
      fc.asyncProperty(filter, async (topicFilter) => {
        fc.pre(!topicFilter.includes('/#/')); // '#' only last: what MQTT itself allows
        const granted = await thing.client.subscribeAsync(topicFilter, { qos: 1 }).then(
          () => true,
          () => false,
        );
        expect(granted).toBe(maySubscribe('t-000001', topicFilter));
      }),
      { numRuns: 200, seed: 12 },
    );
    expect(thing.client.connected).toBe(true);
  } finally {
    await thing.close();
    await bridge.close();
  }
}, 60_000);
