import { EventEmitter } from 'node:events';
import { fleetSize, MQTT_DEFAULT_DEVICES, MQTT_MAX_DEVICES, MQTT_WARN_DEVICES } from '#cli/commands/simulate.ts';
import { abortOnSignals, INTERRUPT_SIGNALS } from '#cli/commands/simulate-interrupt.ts';
import { BadInputError } from '#cli/errors.ts';

describe('simulate fleet size', () => {
  it.each([
    ['the simulated fleet, by default', {}, 10_000],
    ['the simulated fleet, as chosen', { devices: 250_000 }, 250_000],
    ['real agents, by default', { mqtt: true }, MQTT_DEFAULT_DEVICES],
    ['real agents, as chosen', { mqtt: true, devices: 50 }, 50],
    ['real agents at the warning line', { mqtt: true, devices: MQTT_WARN_DEVICES }, MQTT_WARN_DEVICES],
  ])('is %s, without a warning', (_name, options, devices) => {
    const warnings: string[] = [];
    expect(fleetSize(options, (line) => warnings.push(line))).toBe(devices);
    expect(warnings).toEqual([]);
  });

  it.each([MQTT_WARN_DEVICES + 1, MQTT_MAX_DEVICES])('warns about %i real agents the user chose, and runs them', (devices) => {
    const warnings: string[] = [];
    expect(fleetSize({ mqtt: true, devices }, (line) => warnings.push(line))).toBe(devices);
    expect(warnings).toEqual([expect.stringMatching(/^warning: [\d,]+ real agents is more than 2,000; expect a slow start/)]);
  });

  it('refuses more real agents than one process can hold, in one line', () => {
    const refuse = () => fleetSize({ mqtt: true, devices: MQTT_MAX_DEVICES + 1 }, () => undefined);
    expect(refuse).toThrow(BadInputError);
    expect(refuse).toThrow(/^--mqtt --devices 9,001 is more real agents than one process can hold \(about 9,000[^\n]*$/);
  });
});

describe('simulate interrupt', () => {
  it.each(INTERRUPT_SIGNALS)('turns the first %s into an abort, and a second signal into the forced exit', (name) => {
    const process = new EventEmitter();
    let forcedExits = 0;
    const interrupt = abortOnSignals(process, () => forcedExits++);
    expect(interrupt.signal.aborted).toBe(false);
    process.emit(name, name);
    expect(interrupt.signal.aborted).toBe(true);
    expect(interrupt.signal.reason).toBe(name);
    expect(forcedExits).toBe(0);
    process.emit('SIGINT', 'SIGINT');
    expect(forcedExits).toBe(1);
    expect(INTERRUPT_SIGNALS.map((signal) => process.listenerCount(signal))).toEqual([0, 0]);
  });

  it('stops listening when the command ends without a signal', () => {
    const process = new EventEmitter();
    const interrupt = abortOnSignals(process);
    expect(process.listenerCount('SIGINT')).toBe(1);
    interrupt.dispose();
    expect(INTERRUPT_SIGNALS.map((signal) => process.listenerCount(signal))).toEqual([0, 0]);
    expect(interrupt.signal.aborted).toBe(false);
  });
});
