// Time is an argument: Lambda uses the system clock, the simulator a virtual one.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
