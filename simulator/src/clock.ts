/** The simulator clock: real time plus an offset that tests move forward with POST /sim/clock. */
export class SimClock {
  private offsetMs: number;

  constructor(startUnixSeconds?: number) {
    this.offsetMs = startUnixSeconds === undefined ? 0 : startUnixSeconds * 1000 - Date.now();
  }

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  /** Unix seconds. */
  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }

  get offsetSeconds(): number {
    return Math.round(this.offsetMs / 1000);
  }
}
