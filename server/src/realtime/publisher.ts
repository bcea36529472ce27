import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { EventLog, NewEvent } from './log.js';

/** What travels with every numbered event, as the second argument after the payload. */
export type EventMeta = { stream: string; seq: number };
export type Emit = (stream: string, type: string, payload: unknown, meta?: EventMeta) => void;

/** At most this many events share one numbering transaction. */
const MAX_BATCH = 500;

/**
 * Numbers events and pushes them. One append runs at a time; whatever is published meanwhile,
 * whatever its stream, goes into the next append together (group commit). Under load one
 * transaction numbers many events, so real time waits for the database (SQLite's single
 * connection, PostgreSQL's pool) once per batch instead of once per event, and this process
 * emits each stream's events in number order.
 */
export class Publisher {
  private queue: NewEvent[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly log: EventLog,
    private readonly emit: Emit,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  publish(stream: string, type: string, payload: unknown): void {
    this.queue.push({ stream, type, payload });
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  /** Resolves once every event published so far has been numbered and emitted. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const seqs = await this.log.append(batch, this.clock.now().toISOString());
        batch.forEach((e, i) => this.emit(e.stream, e.type, e.payload, { stream: e.stream, seq: seqs[i] }));
      } catch (err) {
        // the change itself is stored; agents still get it live, unnumbered (clients apply those as they come)
        this.logger.error({ err, events: batch.length }, 'realtime: numbering events failed; pushed without numbers');
        for (const e of batch) this.emit(e.stream, e.type, e.payload);
      }
    }
  }
}
