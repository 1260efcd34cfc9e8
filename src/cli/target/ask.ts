// One question on the operator's terminal. Only offered when stdin and stderr are a TTY: a script or CI job has no one
// to ask, and the commands that would ask refuse instead. The prompt goes to stderr so stdout stays clean for --json.
import { createInterface } from 'node:readline';

/** The line the operator typed, or undefined at EOF (Ctrl-D) or Ctrl-C. */
export type Ask = (question: string) => Promise<string | undefined>;

export function terminalAsk(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Ask | undefined {
  if (!input.isTTY || !output.isTTY) return undefined;
  return (question) =>
    new Promise((resolve) => {
      const lines = createInterface({ input, output, terminal: true });
      let answered = false;
      lines.once('line', (line) => {
        answered = true;
        resolve(line);
        lines.close();
      });
      // EOF and Ctrl-C both close the interface: no answer, which every caller takes as "no".
      lines.once('SIGINT', () => lines.close());
      lines.once('close', () => {
        if (!answered) {
          output.write('\n');
          resolve(undefined);
        }
      });
      lines.setPrompt(question);
      lines.prompt();
    });
}
