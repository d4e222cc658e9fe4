import { z } from 'zod';
import { key } from './key-meta.ts';

/**
 * The Mattermost server this service runs beside. When url is unset, `npm start` runs the sandbox: both
 * simulators in-process, wired to the service (see docs/sandbox.md once it lands).
 */
export const mattermostSection = z
  .strictObject({
    url: key(z.url({ protocol: /^https?$/ }).optional(), {
      description: "Mattermost's Site URL (ServiceSettings.SiteURL). Unset: run the sandbox with simulators.",
      env: ['MM365_MATTERMOST_URL', 'MATTERMOST_URL'],
      example: 'https://chat.example.com',
    }),
    botToken: key(z.string().min(20).optional(), {
      description:
        "Access token of the bot account the service acts as (System Console → Bot Accounts → the bot → Create token). The bot needs the system_admin role to read others' statuses and send ephemeral posts.",
      env: ['MM365_MATTERMOST_BOT_TOKEN'],
      example: 'xq4ahe9d5fgo9ej3n8k1qi7c6h',
      secret: true,
    }),
    adminUserIds: key(
      z.array(z.string().regex(/^[a-z0-9]{26}$/, 'must be a 26-character Mattermost user id')).default([]),
      {
        description:
          'Mattermost user ids who administer the integration besides system admins (admin commands, log DMs). Comma-separated in the environment; spaces are trimmed.',
        example: 'abcdefghijklmnopqrstuvwxyz',
        envKind: 'list',
      },
    ),
    oauthClientId: key(z.string().min(1).optional(), {
      description:
        'Client id of the OAuth 2.0 app registered in Mattermost for "Sign in with Mattermost" (safer than signed links). Redirect URI: <publicUrl>/mattermost/oauth/callback.',
      example: 'kq7amhs1pfdgmrn3ghjm6mdyco',
    }),
    oauthClientSecret: key(z.string().min(1).optional(), {
      description: 'Client secret of that OAuth app.',
      example: 'x8r3j4e1b6c7d2a9f0g5h4i3j2',
      secret: true,
    }),
  })
  .superRefine((s, ctx) => {
    if (s.url && !s.botToken) {
      ctx.addIssue({ code: 'custom', path: ['botToken'], message: 'is required when mattermost.url is set' });
    }
    if (!!s.oauthClientId !== !!s.oauthClientSecret) {
      ctx.addIssue({
        code: 'custom',
        path: [s.oauthClientId ? 'oauthClientSecret' : 'oauthClientId'],
        message: 'oauthClientId and oauthClientSecret go together',
      });
    }
  });
