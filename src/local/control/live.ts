// The hook a process running a release calls (simulate --approve external --keep, or start): it serves the control
// API over that process's live ports on loopback and writes control/<pid>.json into the state directory, so `status`,
// `approve`, `reject`, `abort` and `dashboard` in another terminal reach the release while it runs.
import type { Ports } from '#ports/index.ts';
import { removeControlFile, writeControlFile } from './control-file.ts';
import { portsOperations } from '#operator/ports-operations.ts';
import { type ControlServer, startControlServer } from '#operator/server.ts';

export interface LiveControlOptions {
  ports: Ports;
  stateDir: string;
  /** 0 (default): any free port. */
  port?: number;
}

export async function serveLiveControl(options: LiveControlOptions): Promise<ControlServer> {
  const operations = portsOperations(options.ports, `embedded cloud (${options.stateDir}, live pid ${process.pid})`, { clock: 'simulated' });
  const server = await startControlServer({ operations, port: options.port ?? 0 });
  await writeControlFile(options.stateDir, { url: server.url, token: server.token, pid: process.pid, startedAt: new Date().toISOString() });
  let closing: Promise<void> | undefined;
  return {
    ...server,
    close: () => {
      closing ??= removeControlFile(options.stateDir).then(() => server.close());
      return closing;
    },
  };
}
