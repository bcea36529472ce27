export { HubService, UnitOfWork } from './service.js';
export type { InboundInput, InboundResult, NewConversationPolicy, OutboundInput, OutboundResult } from './service.js';
