// One Logger, Metrics and Tracer for every function (Powertools), and the middy middlewares that wire them in.
// Outside Lambda (the local cloud invokes these handlers thousands of times, tests too) it is quiet: no logs unless
// POWERTOOLS_LOG_LEVEL asks for them, no EMF metrics on stdout, no X-Ray (and no X-Ray SDK async hook: xray-mode.ts).
// xray-mode.ts must stay the first import: it sets the SDK's mode before the tracer loads the SDK.
import './xray-mode.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';

/** True in a real Lambda execution environment (the runtime sets AWS_LAMBDA_FUNCTION_NAME and AWS_EXECUTION_ENV). */
export const inLambda = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME && process.env.AWS_EXECUTION_ENV);

const SERVICE = process.env.POWERTOOLS_SERVICE_NAME ?? 'ota-release';

export const logger = new Logger({
  serviceName: SERVICE,
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? (inLambda ? 'INFO' : 'SILENT')) as 'INFO',
});
// The logger doubles as Metrics' own: its warnings stay as quiet as everything else outside Lambda.
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'OtaRelease', serviceName: SERVICE, logger });
export const tracer = new Tracer({ serviceName: SERVICE, enabled: inLambda && process.env.POWERTOOLS_TRACE_ENABLED !== 'false' });

/** Wraps SDK clients so each AWS call is a subsegment of the function's trace (in Lambda only). */
export const instrument = <T>(client: T): T => (tracer.isTracingEnabled() ? (tracer.captureAWSv3Client(client as never) as T) : client);

/** The middlewares every handler uses: context and cold start in the logs, metrics flushed, the handler traced. */
export function observability(): MiddlewareObj[] {
  const always: MiddlewareObj[] = [injectLambdaContext(logger, { clearState: true, resetKeys: true }) as MiddlewareObj];
  if (!inLambda) return always;
  return [...always, logMetrics(metrics, { captureColdStartMetric: true }) as MiddlewareObj, captureLambdaHandler(tracer) as MiddlewareObj];
}

/** Counts one occurrence of `name` (e.g. `JobCreated`); a no-op outside Lambda, where nothing would flush it. */
export function count(name: string, value = 1): void {
  if (inLambda) metrics.addMetric(name, MetricUnit.Count, value);
}
