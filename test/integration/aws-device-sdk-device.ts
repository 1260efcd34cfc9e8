// A device on the official AWS IoT Device SDK for JavaScript v2 (aws-crt, MQTT 3.1.1), run as its own process by
// aws-device-sdk.test.ts: the SDK's native module cannot be torn down cleanly inside a jest worker. It connects as
// the thing given on the command line, opens the NextJobExecutionChanged stream, says READY, waits for the
// notification, then drives the job through the request-response jobs client. Every result is one JSON line.
// Usage: node --import tsx aws-device-sdk-device.ts <brokerUrl> <thing> <password>
import { io, iotjobs, mqtt } from 'aws-iot-device-sdk-v2';

const [url, thingName, password] = process.argv.slice(2) as [string, string, string];
const say = (name: string, value: unknown) => process.stdout.write(`${JSON.stringify({ name, value })}\n`);
const outcome = async (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ ok: value }),
    (error: unknown) => ({ error: { message: String(error), modeledError: (error as { modeledError?: unknown }).modeledError } }),
  );

const connection = new mqtt.MqttClient().new_connection({
  socket_options: new io.SocketOptions(),
  client_id: thingName,
  host_name: new URL(url).hostname,
  port: Number(new URL(url).port),
  clean_session: true,
  keep_alive: 30,
  username: thingName,
  password,
});
const connected = await outcome(connection.connect());
say('connect', connected);
if ('ok' in connected) {
  const jobs = iotjobs.IotJobsClientv2.newFromMqtt311(connection, { maxRequestResponseSubscriptions: 4, maxStreamingSubscriptions: 2, operationTimeoutInSeconds: 10 });
  const stream = jobs.createNextJobExecutionChangedStream({ thingName });
  const subscribed = new Promise<void>((resolve) => stream.on('subscriptionStatus', () => resolve()));
  const notified = new Promise<iotjobs.model.NextJobExecutionChangedEvent>((resolve) => stream.on('incomingPublish', (event) => resolve(event.message)));
  stream.open();
  await subscribed;
  say('READY', true);
  say('notify-next', await notified);
  say('get-pending', await outcome(jobs.getPendingJobExecutions({ thingName })));
  say('start-next', await outcome(jobs.startNextPendingJobExecution({ thingName, statusDetails: { step: 'downloading' } })));
  say('describe', await outcome(jobs.describeJobExecution({ thingName, jobId: 'job-1', includeJobDocument: true })));
  say('update', await outcome(jobs.updateJobExecution({ thingName, jobId: 'job-1', status: iotjobs.model.JobStatus.SUCCEEDED, expectedVersion: 2, includeJobExecutionState: true })));
  say('update-again', await outcome(jobs.updateJobExecution({ thingName, jobId: 'job-1', status: iotjobs.model.JobStatus.IN_PROGRESS })));
  stream.close();
  jobs.close();
  await connection.disconnect();
}
// aws-crt 1.33 aborts in a finaliser during Node's environment clean-up once a streaming operation has existed
// (napi_release_threadsafe_function), after everything above is closed: the results are out, so leave at once.
process.exit(0);
