import type { Namespace, Server } from 'socket.io';
import type { AuthService } from '../auth/service.js';
import type { Logger } from '../core/logger.js';
import type { EventLog } from './log.js';

export const AGENT_NS = '/agent';
/** The stream every agent receives (all open conversations are visible to agents). */
export const BROADCAST_STREAM = 'agents';
/** One agent's own events (assignments), on all of that agent's devices. */
export const userStream = (userId: string) => `user:${userId}`;

/**
 * Socket.IO namespace /agent. An authenticated client joins its streams' rooms and gets
 * `rt.head` — the last number of each of its streams — at once and then every `heartbeatMs`:
 * a client behind the head fetches what it missed, even when the lost event was the last one.
 */
export function attachAgentGateway(io: Server, deps: { auth: AuthService; log: EventLog; logger: Logger; heartbeatMs: number }): { ns: Namespace; stop(): void } {
  const { auth, log, logger } = deps;
  const ns = io.of(AGENT_NS);
  ns.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown })?.token;
    if (typeof token !== 'string') return next(new Error('unauthorized'));
    auth.verify(token).then(
      (user) => {
        socket.data.user = user;
        next();
      },
      () => next(new Error('unauthorized')),
    );
  });
  ns.on('connection', (socket) => {
    const streams = [BROADCAST_STREAM, userStream(socket.data.user.id)];
    // joined first, so an event numbered after the head read below reaches the socket live
    socket.join(streams);
    log.heads(streams).then(
      (head) => socket.emit('rt.head', head),
      (err) => logger.error({ err }, 'realtime: reading stream heads failed'),
    );
  });

  // only this instance's sockets: every instance beats for its own clients
  const beat = async () => {
    if (!ns.sockets.size) return;
    const users = new Set<string>();
    for (const s of ns.sockets.values()) users.add(s.data.user.id);
    const head = await log.heads([BROADCAST_STREAM, ...[...users].map(userStream)]);
    for (const s of ns.sockets.values()) {
      const own = userStream(s.data.user.id);
      s.emit('rt.head', { [BROADCAST_STREAM]: head[BROADCAST_STREAM], [own]: head[own] });
    }
  };
  const timer = setInterval(() => void beat().catch((err) => logger.error({ err }, 'realtime: heartbeat failed')), deps.heartbeatMs);
  timer.unref();
  return { ns, stop: () => clearInterval(timer) };
}
