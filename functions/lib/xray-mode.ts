// Imported by observability.ts before the Powertools tracer, so it runs before the X-Ray SDK loads. On load, the SDK
// in its default (automatic) mode enables an async_hooks hook that follows every promise of the process (cls-hooked),
// whether or not tracing is on. Outside Lambda tracing is off (observability.ts), so the SDK starts in manual mode
// there and the local cloud (`simulate`, `assess`: thousands of handler calls) pays nothing for it. In Lambda this
// does nothing and X-Ray works as configured.
const inLambda = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME && process.env.AWS_EXECUTION_ENV);
if (!inLambda) process.env.AWS_XRAY_MANUAL_MODE ??= 'true';

export {};
