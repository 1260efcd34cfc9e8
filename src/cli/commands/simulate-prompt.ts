// `simulate --approve prompt`: asks in the terminal, with the evidence, and reads the answer from stdin.
// End of input counts as "no": stdin that is closed or piped must never leave a release hanging at the prompt.
// On a terminal each question gets its own readline (closed after the answer, so Ctrl-C between prompts stays a
// signal); from a pipe one reader serves the whole run, so answers piped in ahead ("y\ny\n") are not lost.
import { type Interface, createInterface } from 'node:readline';
import type { PromptApproval } from '#local/approvals.ts';
import { evidenceText } from '../render/simulation-summary.ts';

export const END_OF_INPUT_COMMENT = 'rejected at the simulate prompt: end of input';
export const NOT_A_TERMINAL_WARNING = 'stdin is not a terminal: --approve prompt will treat end of input as no';

export interface TerminalPrompt {
  ask: PromptApproval;
  /** Stops reading; a question still waiting is never answered (the run it belongs to has stopped). */
  close(): void;
}

export function terminalPrompt(input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin, output: NodeJS.WritableStream = process.stdout): TerminalPrompt {
  const lines = new LineReader(input, output, Boolean(input.isTTY));
  const ask: PromptApproval = async (request) => {
    const heading = [`\nApproval needed for ${request.releaseId}, stage ${request.stageIndex + 1} ${request.stageName} (${request.reason === 'hold' ? 'the judge could not decide' : 'the stage is manual'})`];
    if (request.judgement) heading.push(`  verdict: ${request.judgement.verdict}`, ...evidenceText(request.judgement.evidence, request.judgement.reasons, request.judgement.gates).split('\n').map((line) => `  ${line}`));
    output.write(`${heading.join('\n')}\n`);
    for (;;) {
      const line = await lines.next('Approve promotion? [y]es / [n]o: ');
      if (line === undefined) {
        output.write('\nend of input: counted as no (reject)\n');
        return { answer: 'reject', comment: END_OF_INPUT_COMMENT };
      }
      const reply = line.trim().toLowerCase();
      if (['y', 'yes'].includes(reply)) return { answer: 'approve' };
      if (['n', 'no'].includes(reply)) return { answer: 'reject', comment: 'rejected at the simulate prompt' };
    }
  };
  return { ask, close: () => lines.close() };
}

/** Lines of `input` one question at a time; `undefined` once input has ended. */
class LineReader {
  private readonly queued: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private current: Interface | undefined;
  private readonly closedByUs = new WeakSet<Interface>();
  private ended = false;
  private stopped = false;

  constructor(
    private readonly input: NodeJS.ReadableStream & { readableEnded?: boolean },
    private readonly output: NodeJS.WritableStream,
    private readonly terminal: boolean,
  ) {}

  async next(question: string): Promise<string | undefined> {
    // After close the run has stopped: no answer, not even "no", may reach it any more.
    if (this.stopped) return new Promise<never>(() => undefined);
    const readline = this.open();
    if (readline) {
      readline.setPrompt(question);
      readline.prompt();
    } else {
      this.output.write(question);
    }
    const line = this.queued.length > 0 ? this.queued.shift() : this.ended || !readline ? undefined : await new Promise<string | undefined>((resolve) => (this.waiting = resolve));
    if (this.terminal && this.current) this.detach(this.current);
    return line;
  }

  close(): void {
    this.stopped = true;
    this.waiting = undefined;
    if (this.current) this.detach(this.current);
  }

  private open(): Interface | undefined {
    if (this.current || this.ended || this.stopped) return this.current;
    if (this.input.readableEnded) {
      this.ended = true;
      return undefined;
    }
    const readline = createInterface({ input: this.input, output: this.output, terminal: this.terminal });
    readline.on('line', (line) => this.deliver(line, readline));
    readline.on('close', () => {
      if (this.current === readline) this.current = undefined;
      if (this.closedByUs.has(readline)) return;
      this.ended = true;
      this.deliver(undefined, readline);
    });
    // A raw-mode terminal turns Ctrl-C into this event instead of a signal: make it the signal simulate handles.
    readline.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
    this.current = readline;
    return readline;
  }

  private deliver(line: string | undefined, from: Interface): void {
    if (this.closedByUs.has(from)) return;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(line);
    else if (line !== undefined) this.queued.push(line);
  }

  private detach(readline: Interface): void {
    this.closedByUs.add(readline);
    if (this.current === readline) this.current = undefined;
    readline.close();
  }
}
