export { type ConnectPagesDeps, connectPages } from './connect-pages.ts';
export { type ErrorBody, errorHandler } from './errors.ts';
export type { ReadinessProbe } from './health.ts';
export { escapeHtml, sendPage } from './page.ts';
export { buildHttpServer, type HttpDeps } from './server.ts';
