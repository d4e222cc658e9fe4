export {
  checkSession,
  type KeepAliveDeps,
  keepAliveCheck,
  keepAliveSweep,
  registerKeepAlive,
  reportDead,
} from './keep-alive.ts';
export type { ConnectLinks, MicrosoftSessions, SessionCheck, UserMessenger } from './ports.ts';
