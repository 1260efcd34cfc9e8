// Runs the `ota-release` command in-process, as a user would type it, and captures what it writes.
import { jest } from '@jest/globals';
import { main } from '#cli/main.ts';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(...args: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const capture = (append: (text: string) => void) => (chunk: string | Uint8Array) => {
    append(String(chunk));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture((text) => (out += text)));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture((text) => (err += text)));
  try {
    const code = await main(['node', 'ota-release', ...args]);
    return { code, out, err };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
