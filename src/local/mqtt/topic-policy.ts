// What a connected thing may do on the embedded broker: the IoT policy a fleet would attach to its devices, with
// `${iot:Connection.Thing.ThingName}` standing for the authenticated thing:
//   iot:Publish    topic/$aws/things/${thing}/jobs/*        (requests; never the topics the service publishes)
//   iot:Subscribe  topicfilter/$aws/things/${thing}/jobs/*  (any filter there, wildcards included: `get/+`, `#`)
//   iot:Publish    topic/ota-release/health/${thing}        (its own health reports; nobody subscribes to those)
//   iot:Publish    topic/$aws/rules/*/ota-release/health/${thing}   (the same through Basic Ingest)
// Nothing outside the thing's own jobs namespace and health topic: another thing's topics, `$aws/things/+/...` and other
// topics are refused.
import { healthTopic } from '#domain/health-report.ts';

export function jobsNamespace(thingName: string): string {
  return `$aws/things/${thingName}/jobs/`;
}

/** Topics only the Jobs service publishes: replies (`…/accepted`, `…/rejected`) and the two notifications. */
export function isServiceTopic(topic: string): boolean {
  const last = topic.slice(topic.lastIndexOf('/') + 1);
  return last === 'accepted' || last === 'rejected' || /^\$aws\/things\/[^/]+\/jobs\/notify(-next)?$/.test(topic);
}

const BASIC_INGEST = /^\$aws\/rules\/[a-zA-Z0-9_]+\//;

/** The health topic a publish is for, with any Basic Ingest prefix (`$aws/rules/<rule>/`) taken off. */
export function healthTopicOf(topic: string): string {
  return topic.replace(BASIC_INGEST, '');
}

export function mayPublish(thingName: string, topic: string): boolean {
  if (healthTopicOf(topic) === healthTopic(thingName)) return true;
  return topic.startsWith(jobsNamespace(thingName)) && topic.length > jobsNamespace(thingName).length && !isServiceTopic(topic);
}

export function maySubscribe(thingName: string, filter: string): boolean {
  return filter.startsWith(jobsNamespace(thingName)) && filter.length > jobsNamespace(thingName).length;
}

/** MQTT topic-filter matching (`+` one level, `#` the rest), as the broker applies a subscription. */
export function filterMatches(filter: string, topic: string): boolean {
  const wanted = filter.split('/');
  const levels = topic.split('/');
  for (let i = 0; i < wanted.length; i++) {
    if (wanted[i] === '#') return true;
    if (i >= levels.length) return false;
    if (wanted[i] !== '+' && wanted[i] !== levels[i]) return false;
  }
  return wanted.length === levels.length;
}
