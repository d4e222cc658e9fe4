import { z } from 'zod';
import { key } from './key-meta.ts';

/** Who may connect which Microsoft account (shared by Calendar and Teams). */
export const accountsSection = z.strictObject({
  requireMatchingEmail: key(z.boolean().default(true), {
    description:
      "Require the Microsoft account's mail or UPN to equal the Mattermost e-mail (as the Teams plugin does). Turn off to let users connect an account with another address: signing in to Microsoft proves they own it.",
    example: 'true',
    envKind: 'boolean',
  }),
  allowList: key(
    z
      .array(
        z.string().regex(/^([^@\s]+@[^@\s]+\.[^@\s]+|@[^@\s]+\.[^@\s]+)$/, 'must be an e-mail or @domain'),
      )
      .default([]),
    {
      description:
        'When not empty, only Mattermost users whose e-mail is listed (or is in a listed @domain) may connect. Comma-separated in the environment.',
      example: 'alice@contoso.com,@fabrikam.com',
      envKind: 'list',
    },
  ),
});
