// The gateway's own commands as agent hooks: a self-test whose exit status decides commit or rollback, and a reboot.
import { execFile } from 'node:child_process';
import type { AgentHooks, SelfTestResult } from './agent.ts';

function run(command: string[], env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const [file, ...args] = command as [string, ...string[]];
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim().split('\n').slice(-3).join(' | ');
      if (!error) return resolve({ code: 0, output });
      const code = typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null;
      resolve({ code, output: output || error.message });
    });
  });
}

export function commandHooks(options: { reboot?: string[]; selfTest?: string[]; selfTestTimeoutMs: number }): AgentHooks {
  const hooks: AgentHooks = {};
  if (options.selfTest) {
    const selfTest = options.selfTest;
    hooks.selfTest = async (running): Promise<SelfTestResult> => {
      const result = await run(selfTest, { OTA_SLOT: running.slot, OTA_VERSION: running.version, OTA_IMAGE: running.imagePath }, options.selfTestTimeoutMs);
      return result.code === 0 ? { ok: true } : { ok: false, detail: `self-test exited ${result.code ?? 'on a signal or timeout'}${result.output ? `: ${result.output}` : ''}` };
    };
  }
  if (options.reboot) {
    const reboot = options.reboot;
    hooks.reboot = async () => {
      const result = await run(reboot, {}, 60_000);
      if (result.code !== 0) throw new Error(`the reboot command failed (${result.code ?? 'signal'}): ${result.output}`);
      // The machine is going down; nothing more to do in this process.
      await new Promise(() => undefined);
    };
  }
  return hooks;
}
