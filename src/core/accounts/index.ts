export type {
  AccountRepository,
  ConnectedAccount,
  Feature,
  InactiveReason,
  MicrosoftIdentity,
} from './account.ts';
export { isIntegrationAdmin } from './admins.ts';
export { checkEmailPolicy } from './email-policy.ts';
export { AccountService, type ConnectInput } from './service.ts';
