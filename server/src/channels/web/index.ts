export { attachWidgetGateway, WIDGET_NS } from './gateway.js';
export { widgetRoutes } from './routes.js';
export { VisitorTokens } from './visitors.js';
