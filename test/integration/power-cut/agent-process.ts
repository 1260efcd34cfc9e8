// The device agent as its own process, for the power-cut tests: `agent-process <agent.json>` runs the real composition
// root (runAgent) and prints one JSON line per step as it begins, then `{"idle":…}` once it has nothing left to do.
// It never exits by itself while its stdin is open: the test ends it, by SIGKILL (the power cut) or by closing stdin.
import { writeSync } from 'node:fs';
import { loadAgentConfig } from '#device/config.ts';
import { runAgent } from '#device/run-agent.ts';

const say = (line: object) => writeSync(1, `${JSON.stringify(line)}\n`);

const loaded = await loadAgentConfig(process.argv[2] ?? 'agent.json');
// Synchronous writes: the line is in the pipe before the step does anything, so the test sees every step it reaches.
const running = await runAgent(loaded, { onStep: (step) => say({ step }) });
await running.agent.whenIdle();
say({ idle: true, runningVersion: running.agent.runningVersion });
process.stdin.resume();
process.stdin.on('end', () => {
  void running.stop().then(() => process.exit(0));
});
