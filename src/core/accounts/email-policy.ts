import type { Config } from '../config/index.ts';
import { AppError } from '../errors.ts';
import type { MicrosoftIdentity } from './account.ts';

/**
 * Whether a Mattermost user (by e-mail) may connect this Microsoft account.
 * - allow-list (when set): the Mattermost e-mail must be listed, or end in a listed @domain;
 * - matching e-mail (default on): the Microsoft `mail`, or else the UPN, must equal the Mattermost e-mail,
 *   compared case-insensitively. Turned off, any address is accepted: the Microsoft sign-in proves ownership.
 * Throws MM365_ACCOUNT_NOT_ALLOWED or MM365_ACCOUNT_EMAIL_MISMATCH with a message for the user.
 */
export function checkEmailPolicy(
  policy: Config['accounts'],
  mattermostEmail: string,
  microsoft: Pick<MicrosoftIdentity, 'mail' | 'userPrincipalName'>,
): void {
  const mmEmail = mattermostEmail.trim().toLowerCase();
  if (policy.allowList.length > 0) {
    const listed = policy.allowList.some((entry) => {
      const e = entry.toLowerCase();
      return e.startsWith('@') ? mmEmail.endsWith(e) : mmEmail === e;
    });
    if (!listed) {
      throw new AppError(
        'MM365_ACCOUNT_NOT_ALLOWED',
        'Connecting a Microsoft account is not enabled for you yet. Ask your Mattermost admin to add you.',
      );
    }
  }
  if (!policy.requireMatchingEmail) return;
  const msEmail = (microsoft.mail ?? microsoft.userPrincipalName).trim().toLowerCase();
  if (msEmail !== mmEmail) {
    throw new AppError(
      'MM365_ACCOUNT_EMAIL_MISMATCH',
      `You signed in to Microsoft as ${msEmail}, but your Mattermost e-mail is ${mmEmail}. Sign in with the Microsoft account for ${mmEmail}, or ask your admin to allow different addresses.`,
    );
  }
}
