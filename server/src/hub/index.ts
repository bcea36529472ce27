export { HubService, UnitOfWork } from './service.js';
export type { InboundInput, InboundResult, OutboundInput, OutboundResult } from './service.js';
