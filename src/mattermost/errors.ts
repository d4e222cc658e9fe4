import { defineErrorCodes } from '../core/errors.ts';

/**
 * The Mattermost edge's coded errors (house style rule 12). Tests assert on these codes; a retired code is
 * never reused.
 */
export const mattermostErrors = defineErrorCodes('mattermost', {
  MM365_MM_UNREACHABLE: {
    status: 502,
    doc: 'Mattermost did not answer (network error or timeout) after the retries a call allows.',
  },
  MM365_MM_API_ERROR: {
    status: 502,
    doc: 'Mattermost answered a REST call with an error; details carry its status and error id.',
  },
  MM365_MM_RATE_LIMITED: {
    status: 503,
    doc: 'Mattermost kept answering 429 after every retry the call allows.',
  },
  MM365_MM_NOT_A_BOT: {
    status: 500,
    doc: 'mattermost.botToken belongs to a user who is not a bot account; create a bot and use its token.',
  },
  MM365_MM_BOT_ROLES_MISSING: {
    status: 500,
    doc: 'The bot lacks a role it needs (system_admin); the message names what is missing and why.',
  },
  MM365_MM_COMMAND_CONFLICT: {
    status: 500,
    doc: 'A team already has a slash command with our trigger made by someone else; it is left alone.',
  },
  MM365_MM_COMMAND_TOKEN_INVALID: {
    status: 401,
    doc: 'A slash-command request carried no token or one that is not the stored token of that team and trigger.',
  },
  MM365_MM_UNKNOWN_ACTION: {
    status: 400,
    doc: 'An interactive action or dialog names an action id no module registered.',
  },
  MM365_MM_WRONG_USER: {
    status: 403,
    doc: 'An action or dialog was submitted by someone other than the user it was made for.',
  },
  MM365_MM_OAUTH_NOT_CONFIGURED: {
    status: 404,
    doc: 'Sign in with Mattermost was asked for, but no OAuth app (oauthClientId/Secret) is configured.',
  },
  MM365_MM_OAUTH_STATE_INVALID: {
    status: 403,
    doc: 'An OAuth callback carried a state that is forged, expired, already used, or started in another browser.',
  },
  MM365_MM_OAUTH_FAILED: {
    status: 502,
    doc: 'Mattermost refused the OAuth code or refresh token exchange; the user must sign in again.',
  },
  MM365_MM_SIGNIN_USER_MISMATCH: {
    status: 403,
    doc: 'The browser signed in to Mattermost as someone other than the user the link was sent to.',
  },
  MM365_MM_LINK_USED: {
    status: 403,
    doc: 'A single-use sign-in link was opened a second time.',
  },
  MM365_MM_NOT_SIGNED_IN: {
    status: 401,
    doc: 'A web page needs a Mattermost sign-in and the browser has no valid session.',
  },
  MM365_MM_USER_TOKEN_MISSING: {
    status: 409,
    doc: 'We hold no usable Mattermost token for the user (never signed in, or the refresh failed); ask them to sign in.',
  },
});
