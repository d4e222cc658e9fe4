export { connectionSubcommands } from './commands.ts';
export {
  ConnectFlow,
  type ConnectFlowDeps,
  connectPaths,
  featureNames,
  type PageResult,
} from './connect-flow.ts';
export { accountErrors } from './errors.ts';
export {
  checkSession,
  type KeepAliveDeps,
  keepAliveCheck,
  keepAliveSweep,
  registerKeepAlive,
  reportDead,
} from './keep-alive.ts';
export type {
  BotPosts,
  ConnectLinks,
  MattermostDirectory,
  MattermostUser,
  MicrosoftSessions,
  MicrosoftSignIn,
  SessionCheck,
  UserMessenger,
  WebSignIn,
} from './ports.ts';
