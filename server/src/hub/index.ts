export { HubService, IngestCache, UnitOfWork } from './service.js';
export type { AgentClaim, AssignOptions, InboundInput, InboundResult, NewConversationPolicy, OutboundInput, OutboundResult } from './service.js';
