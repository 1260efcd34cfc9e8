import { Writable } from 'node:stream';
import { showSimulationProgress } from '#cli/render/simulation-progress.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { createLocalCloud } from '#local/local-cloud.ts';

const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
const WRAP_OFF = '\u001b[?7l';
const WRAP_ON = '\u001b[?7h';

/** A terminal that records what is written to it. */
function fakeTerminal(): { stream: NodeJS.WriteStream; written: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns: 120, rows: 40 });
  return { stream, written: () => text };
}

describe('simulation progress bars', () => {
  it('give the terminal back its cursor and line wrap when stopped, once however often stop is called', async () => {
    const cloud = await createLocalCloud({ fleet: new SimulatedFleet({ devices: 10, profile: faultProfile('healthy'), seed: 1 }), baseDir: '.' });
    const { stream, written } = fakeTerminal();
    const progress = showSimulationProgress(cloud, stream);
    expect(written()).toContain(HIDE_CURSOR);
    expect(written()).toContain(WRAP_OFF);
    progress.stop();
    progress.stop(); // the Ctrl-C handler and the end of the run both stop it
    const after = written().slice(written().lastIndexOf(HIDE_CURSOR));
    expect(after).toContain(SHOW_CURSOR);
    expect(after.split(WRAP_ON)).toHaveLength(2);
    expect(after.split(SHOW_CURSOR)).toHaveLength(2);
    await cloud.close();
  });
});
