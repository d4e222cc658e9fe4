export { type ErrorBody, errorHandler } from './errors.ts';
export type { ReadinessProbe } from './health.ts';
export { buildHttpServer, type HttpDeps } from './server.ts';
