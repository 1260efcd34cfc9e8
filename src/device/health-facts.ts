// What a Linux gateway can tell the health reporter about itself, without the agent supervising the application:
// - boots: the kernel's boot id (/proc/sys/kernel/random/boot_id) is a new random UUID on every boot, so a boot id
//   that differs from the one the agent recorded means the machine rebooted since;
// - uptime: seconds since boot (os.uptime(), /proc/uptime);
// - crashes: a cumulative counter the device team provides, either a file holding one integer (which their supervisor,
//   e.g. a systemd OnFailure= unit, increments) or a command printing one (e.g. `systemctl show -p NRestarts --value
//   gateway-app.service`, systemd's count of automatic restarts). The reporter takes differences, so the counter may
//   reset (a reboot, a reinstall): a reading below the last one counts from zero.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { uptime } from 'node:os';

export interface DeviceFacts {
  /** An id that changes on every boot and on nothing else. */
  bootId(): Promise<string>;
  uptimeSeconds(): number;
  /** The cumulative crash counter, or undefined when the device has none (crashes are then reported as 0). */
  crashCount(): Promise<number | undefined>;
}

export type CrashCounter = { file: string } | { command: string[] };

const BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';
const COMMAND_TIMEOUT_MS = 10_000;

export function linuxFacts(options: { crashCounter?: CrashCounter; bootIdFile?: string } = {}): DeviceFacts {
  const bootIdFile = options.bootIdFile ?? BOOT_ID_FILE;
  const counter = options.crashCounter;
  return {
    bootId: async () => (await readFile(bootIdFile, 'utf8')).trim(),
    uptimeSeconds: () => uptime(),
    crashCount: async () => {
      if (!counter) return undefined;
      const text = 'file' in counter ? await readFile(counter.file, 'utf8').catch(missingIsZero) : await runCommand(counter.command);
      return parseCount(text);
    },
  };
}

/** A counter file that does not exist yet means nothing has crashed yet. */
function missingIsZero(error: unknown): string {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '0';
  throw error;
}

/** The first integer in the text; anything else is an error the reporter logs (and then reports no crashes). */
export function parseCount(text: string): number {
  const match = /^\s*(\d{1,12})\s*$/.exec(text);
  if (!match) throw new Error(`the crash counter is not a whole number: ${JSON.stringify(text.slice(0, 80))}`);
  return Number(match[1]);
}

function runCommand(command: string[]): Promise<string> {
  const [file, ...args] = command as [string, ...string[]];
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: COMMAND_TIMEOUT_MS, maxBuffer: 4096 }, (error, stdout) => (error ? reject(new Error(`the crash counter command failed: ${error.message}`)) : resolve(stdout)));
  });
}
