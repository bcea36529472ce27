import type { Socket } from 'socket.io-client';

/*
 * No relative imports here on purpose: the server's integration tests drive this very client
 * against a real kefu (server/test/realtime.test.ts).
 */

/** Sent by the server beside every numbered event (`socket.emit(type, payload, meta)`). */
export type EventMeta = { stream: string; seq: number };
/** GET /api/realtime/events */
export type EventsPage = { stream: string; latest: number; resync: boolean; events: { seq: number; type: string; payload: unknown }[] };
export type FetchEvents = (stream: string, after: number) => Promise<EventsPage>;
/** each event type has its own payload; a page types its own handler */
type Listener = (payload: any) => void;

/**
 * Across instances (Redis adapter), an event may overtake an earlier one by a few ms; a gap is
 * fetched only if it is still open after this long.
 */
const GAP_GRACE_MS = 150;

const isMeta = (m: unknown): m is EventMeta =>
  typeof m === 'object' && m !== null && typeof (m as EventMeta).stream === 'string' && Number.isInteger((m as EventMeta).seq);

/**
 * The agent socket with sequence numbers: each stream's events are handed to listeners once, in
 * number order. A number that jumps, or a head (`rt.head`: sent on connect and as a heartbeat)
 * beyond what was applied, makes the client fetch the missing events from the server instead of
 * reloading, so nothing is lost when a connection drops or the pub/sub layer loses a message.
 * When the server no longer keeps what is missing, listeners of `resync` reload their lists.
 *
 * `on`/`off` mirror Socket.IO's so pages subscribe the same way; listeners get events only
 * through here, never straight from the socket.
 */
export class RealtimeClient {
  /** last number handed to listeners, per stream; unset until the stream's first head */
  private readonly applied = new Map<string, number>();
  /** highest number seen before the first head (events may precede it on connect) */
  private readonly early = new Map<string, number>();
  /** highest number known to exist (heads, events seen) */
  private readonly known = new Map<string, number>();
  /** events that arrived ahead of a gap, waiting for it to be filled */
  private readonly held = new Map<string, Map<number, { type: string; payload: unknown }>>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly filling = new Set<string>();
  private readonly listeners = new Map<string, Set<Listener>>();
  /** the next head is the first of a new connection */
  private fresh = true;

  constructor(
    readonly socket: Socket,
    private readonly fetchEvents: FetchEvents,
  ) {}

  /** Starts listening on the socket; returns the stop (React effects may start it twice). */
  start(): () => void {
    this.socket.onAny(this.onAny);
    this.socket.on('connect', this.onConnect);
    return () => {
      this.socket.offAny(this.onAny);
      this.socket.off('connect', this.onConnect);
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
    };
  }

  on(type: string, fn: Listener): this {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return this;
  }

  off(type: string, fn: Listener): this {
    this.listeners.get(type)?.delete(fn);
    return this;
  }

  private readonly onConnect = () => {
    this.fresh = true;
  };

  private readonly onAny = (type: string, payload: unknown, meta?: unknown) => {
    if (type === 'rt.head') return this.onHead(payload as Record<string, unknown>);
    if (!isMeta(meta)) return this.dispatch(type, payload);
    this.receive(meta.stream, meta.seq, type, payload);
  };

  private onHead(head: Record<string, unknown>): void {
    const fresh = this.fresh;
    this.fresh = false;
    for (const [stream, seq] of Object.entries(head)) {
      if (typeof seq !== 'number') continue;
      const applied = this.applied.get(stream);
      if (applied === undefined) {
        // the lists were loaded from the server: continue from here
        this.applied.set(stream, Math.max(seq, this.early.get(stream) ?? 0));
        this.early.delete(stream);
        this.drain(stream);
      } else if (fresh && seq < applied) {
        // a new connection's head is never behind what was emitted before: the log restarted
        this.resync(stream, seq);
      } else if (seq > applied) {
        this.know(stream, seq);
        this.scheduleFill(stream);
      }
    }
  }

  private receive(stream: string, seq: number, type: string, payload: unknown): void {
    const applied = this.applied.get(stream);
    if (applied === undefined) {
      this.early.set(stream, Math.max(seq, this.early.get(stream) ?? 0));
      return this.dispatch(type, payload);
    }
    if (seq <= applied) return; // a duplicate (live and gap-filled, or delivered twice)
    this.know(stream, seq);
    if (seq === applied + 1) {
      this.applied.set(stream, seq);
      this.dispatch(type, payload);
      return this.drain(stream);
    }
    let h = this.held.get(stream);
    if (!h) this.held.set(stream, (h = new Map()));
    h.set(seq, { type, payload });
    this.scheduleFill(stream);
  }

  /** hands on held events that are next in line */
  private drain(stream: string): void {
    const h = this.held.get(stream);
    if (!h) return;
    for (;;) {
      const next = (this.applied.get(stream) ?? 0) + 1;
      const e = h.get(next);
      if (!e) break;
      h.delete(next);
      this.applied.set(stream, next);
      this.dispatch(e.type, e.payload);
    }
    const applied = this.applied.get(stream) ?? 0;
    for (const seq of h.keys()) if (seq <= applied) h.delete(seq);
    if (!h.size) this.held.delete(stream);
  }

  private know(stream: string, seq: number): void {
    if (seq > (this.known.get(stream) ?? 0)) this.known.set(stream, seq);
  }

  private behind(stream: string): boolean {
    const applied = this.applied.get(stream);
    return applied !== undefined && (this.known.get(stream) ?? 0) > applied;
  }

  private scheduleFill(stream: string): void {
    if (this.timers.has(stream) || this.filling.has(stream)) return;
    this.timers.set(
      stream,
      setTimeout(() => {
        this.timers.delete(stream);
        void this.fill(stream);
      }, GAP_GRACE_MS),
    );
  }

  private async fill(stream: string): Promise<void> {
    if (!this.behind(stream)) return;
    this.filling.add(stream);
    try {
      for (;;) {
        const page = await this.fetchEvents(stream, this.applied.get(stream)!);
        if (page.resync) {
          this.resync(stream, page.latest);
          break;
        }
        for (const e of page.events) this.receive(stream, e.seq, e.type, e.payload);
        this.know(stream, page.latest);
        if (!page.events.length || !this.behind(stream)) break;
      }
    } catch {
      // offline or the server failed: the next head (heartbeat, reconnect) or event retries
      return;
    } finally {
      this.filling.delete(stream);
    }
    if (this.behind(stream)) this.scheduleFill(stream);
  }

  /** What is missing is gone from the server: listeners reload, numbering continues after `latest`. */
  private resync(stream: string, latest: number): void {
    this.applied.set(stream, latest);
    this.known.set(stream, Math.max(latest, ...(this.held.get(stream)?.keys() ?? [])));
    this.dispatch('resync', { stream });
    this.drain(stream);
    if (this.behind(stream)) this.scheduleFill(stream);
  }

  private dispatch(type: string, payload: unknown): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(payload);
      } catch (e) {
        // one page's bug must not stop the stream for the others
        console.error(`realtime listener for ${type} failed`, e);
      }
    }
  }
}
