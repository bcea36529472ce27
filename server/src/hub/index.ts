export { HubService, UnitOfWork } from './service.js';
export type { AssignOptions, InboundInput, InboundResult, NewConversationPolicy, OutboundInput, OutboundResult } from './service.js';
