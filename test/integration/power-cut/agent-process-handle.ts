// Starts the bundled agent process (agent-process.ts) and follows its output line by line, so a test can cut its
// power (SIGKILL) at a chosen point or let it run until idle.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const POLYFILLS = fileURLToPath(new URL('../../../bin/polyfills.mjs', import.meta.url));

export interface AgentLine {
  step?: string;
  idle?: boolean;
  runningVersion?: string;
}

export class AgentProcess {
  readonly steps: string[] = [];
  private readonly waiters = new Set<(line: AgentLine) => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = `${this.stderr}${chunk.toString('utf8')}`.slice(-4000);
    });
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: AgentLine;
      try {
        line = JSON.parse(text) as AgentLine;
      } catch {
        return;
      }
      if (line.step) this.steps.push(line.step);
      for (const waiter of this.waiters) waiter(line);
    });
  }

  static start(bundle: string, configFile: string): AgentProcess {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // jest's VM flags are not the agent's
    return new AgentProcess(spawn(process.execPath, ['--import', POLYFILLS, bundle, configFile], { env, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Resolves with the first line that `matches`; rejects if the process ends first. */
  until(matches: (line: AgentLine) => boolean): Promise<AgentLine> {
    return new Promise((resolve, reject) => {
      const waiter = (line: AgentLine) => {
        if (!matches(line)) return;
        this.waiters.delete(waiter);
        resolve(line);
      };
      this.waiters.add(waiter);
      void this.exited.then(({ code, signal }) => {
        if (!this.waiters.has(waiter)) return;
        this.waiters.delete(waiter);
        reject(new Error(`the agent process ended (code ${code}, signal ${signal}) before the expected line; stderr: ${this.stderr}`));
      });
    });
  }

  /** The power cut: no cleanup, no flush, whatever the process was in the middle of. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A clean stop (stdin closed), once the test has what it needs. */
  async end(): Promise<void> {
    this.child.stdin?.end();
    await this.exited;
  }
}
