import type { Server } from 'socket.io';
import type { EventBus } from '../core/events.js';
import type { AuthService } from '../auth/service.js';

export const AGENT_NS = '/agent';

/**
 * Pushes hub events to agents' open clients (PC, phone) over Socket.IO namespace /agent.
 * Every authenticated agent joins `agents` (all open conversations are visible to agents in
 * this first workspace) and `user:<id>` for personal events.
 */
export function attachAgentGateway(io: Server, bus: EventBus, auth: AuthService): void {
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
    socket.join(['agents', `user:${socket.data.user.id}`]);
  });
  bus.on('message.created', (p) => void ns.to('agents').emit('message.created', p));
  bus.on('message.updated', (p) => void ns.to('agents').emit('message.updated', p));
  bus.on('conversation.updated', (p) => void ns.to('agents').emit('conversation.updated', p));
  bus.on('conversation.assigned', (p) => void ns.to(`user:${p.agent_id}`).emit('conversation.assigned', p));
  bus.on('knowledge.alert', (p) => void ns.to('agents').emit('knowledge.alert', p));
}
