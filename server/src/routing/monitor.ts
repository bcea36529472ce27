import type { Server } from 'socket.io';
import type { EventBus } from '../core/events.js';

const NS = '/agent';
export const conversationRoom = (conversationId: string) => `conversation:${conversationId}`;

export type MonitorRooms = {
  /** false when the socket is not connected or is not the user's own */
  join(socketId: string, userId: string, conversationId: string): Promise<boolean>;
  leave(socketId: string, userId: string, conversationId: string): Promise<boolean>;
};

/**
 * Supervisors' read-only monitoring: the supervisor's socket joins the room
 * `conversation:<id>` and receives that conversation's events there as `monitor.event`
 * `{ type, payload }`, whatever the workspace's own streams deliver. Joining goes through
 * Socket.IO's adapter (`socketsJoin`), so with the Redis adapter the socket may live on another
 * instance; an emit to a room nobody joined costs a map lookup (one pub/sub publish with Redis).
 */
export function socketMonitor(io: Server, bus: EventBus): MonitorRooms {
  const ns = io.of(NS);
  const forward = (type: string) => (p: { conversation: { id: string } }) => void ns.to(conversationRoom(p.conversation.id)).emit('monitor.event', { type, payload: p });
  bus.on('message.created', forward('message.created'));
  bus.on('message.updated', forward('message.updated'));
  bus.on('conversation.updated', forward('conversation.updated'));
  const own = async (socketId: string, userId: string) => (await ns.in(socketId).fetchSockets()).some((s) => s.id === socketId && s.data.user?.id === userId);
  return {
    async join(socketId, userId, conversationId) {
      if (!(await own(socketId, userId))) return false;
      ns.in(socketId).socketsJoin(conversationRoom(conversationId));
      return true;
    },
    async leave(socketId, userId, conversationId) {
      if (!(await own(socketId, userId))) return false;
      ns.in(socketId).socketsLeave(conversationRoom(conversationId));
      return true;
    },
  };
}
