// Outside Lambda the handlers must cost nothing for tracing: the X-Ray SDK is loaded (by the Powertools tracer) but in
// manual mode, which creates no cls-hooked namespace and so no async_hooks hook on every promise. Checked in a child
// process as Node loads modules (jest's ESM linking runs CommonJS dependencies ahead of the importing module's body).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROBE = `
const { inLambda, tracer } = await import('./functions/lib/observability.ts');
console.log(JSON.stringify({ inLambda, tracing: tracer.isTracingEnabled(), mode: process.env.AWS_XRAY_MANUAL_MODE ?? null, namespace: Boolean(process.namespaces?.AWSXRay) }));
`;

function probe(env: NodeJS.ProcessEnv): Promise<{ inLambda: boolean; tracing: boolean; mode: string | null; namespace: boolean }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], { cwd: ROOT, env, timeout: 20_000 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!));
    });
  });
}

const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('POWERTOOLS_')));

describe('observability', () => {
  it('outside Lambda leaves tracing off and the X-Ray SDK in manual mode, with no async hook', async () => {
    expect(await probe(baseEnv)).toEqual({ inLambda: false, tracing: false, mode: 'true', namespace: false });
  });

  it('in Lambda leaves the X-Ray SDK in its automatic mode', async () => {
    const lambda = await probe({ ...baseEnv, AWS_LAMBDA_FUNCTION_NAME: 'probe', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'false' });
    expect(lambda).toMatchObject({ inLambda: true, mode: null, namespace: true });
  });
});
