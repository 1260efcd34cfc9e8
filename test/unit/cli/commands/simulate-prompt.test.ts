import { PassThrough, Readable, Writable } from 'node:stream';
import { sequentialTest } from '#domain/sequential-test.ts';
import { END_OF_INPUT_COMMENT, terminalPrompt } from '#cli/commands/simulate-prompt.ts';
import type { ApprovalRequest } from '#ports/notifier.ts';

const request: ApprovalRequest = { releaseId: 'fw-2', stageIndex: 0, stageName: 'canary', reason: 'manual-stage', expiresAt: '2026-01-01T02:00:00Z' };

function sink(): { output: Writable; text: () => string } {
  let text = '';
  const output = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { output, text: () => text };
}

describe('simulate --approve prompt', () => {
  it.each([
    ['yes', ['y\n'], 'approve'],
    ['YES with spaces', ['  YES  \n'], 'approve'],
    ['no', ['n\n'], 'reject'],
    ['an unclear reply, then yes', ['maybe\n', 'yes\n'], 'approve'],
  ])('answers from stdin: %s', async (_name, chunks, answer) => {
    const { output } = sink();
    const prompt = terminalPrompt(Readable.from(chunks), output);
    await expect(prompt.ask(request)).resolves.toMatchObject({ answer });
    prompt.close();
  });

  it.each([
    ['input that is empty', []],
    ['input that ends after an unclear reply', ['maybe\n']],
    ['input that ends without a newline', ['maybe']],
  ])('rejects, saying so, at the end of %s', async (_name, chunks) => {
    const { output, text } = sink();
    const prompt = terminalPrompt(Readable.from(chunks), output);
    await expect(prompt.ask(request)).resolves.toEqual({ answer: 'reject', comment: END_OF_INPUT_COMMENT });
    expect(text()).toContain('end of input: counted as no (reject)');
    prompt.close();
  });

  it('reads answers piped in ahead for later approvals, and rejects once they run out', async () => {
    const { output, text } = sink();
    const prompt = terminalPrompt(Readable.from(['y\nn\n']), output);
    const answers = [];
    for (let approval = 0; approval < 3; approval++) answers.push((await prompt.ask({ ...request, stageIndex: approval })).answer);
    expect(answers).toEqual(['approve', 'reject', 'reject']);
    expect(text().match(/Approval needed for fw-2/g)).toHaveLength(3);
    prompt.close();
  });

  it('rejects at once when stdin had already ended before the question', async () => {
    const input = new PassThrough();
    input.end();
    input.resume();
    await new Promise((resolve) => input.once('end', resolve));
    const prompt = terminalPrompt(input, sink().output);
    await expect(prompt.ask(request)).resolves.toMatchObject({ answer: 'reject' });
  });

  it('leaves a question unanswered once closed: an interrupted run gets neither yes nor no', async () => {
    const input = new PassThrough();
    const prompt = terminalPrompt(input, sink().output);
    let settled = false;
    void prompt.ask(request).finally(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    prompt.close();
    input.end('y\n');
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
  });

  it('shows the judge’s evidence with a held stage', async () => {
    const { output, text } = sink();
    const prompt = terminalPrompt(Readable.from(['y\n']), output);
    await prompt.ask({
      ...request,
      reason: 'hold',
      judgement: {
        verdict: 'HOLD',
        reasons: ['failure rate 4% is inconclusive'],
        evidence: { executed: 60, succeeded: 57, failed: 3, failureRate: 0.05, confidence: 0.9, maxFailureRate: 0.05, unacceptableFailureRate: 0.1, sequential: sequentialTest(3, 60, { maxFailureRate: 0.05, unacceptableFailureRate: 0.1, confidence: 0.9 }), coverage: 0.95, bakedSeconds: 3600 },
      },
    } as unknown as ApprovalRequest);
    expect(text()).toMatch(/the judge could not decide[\s\S]*verdict: HOLD[\s\S]*60 executed/);
    prompt.close();
  });
});
