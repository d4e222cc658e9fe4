/** Every route the Mattermost edge serves, relative to server.publicUrl. Mattermost and browsers call these. */
export const paths = {
  command: '/mattermost/command',
  action: '/mattermost/action',
  dialog: '/mattermost/dialog',
  signinStart: '/mattermost/signin',
  oauthCallback: '/mattermost/oauth/callback',
  signinLink: '/mattermost/signin/link',
  signout: '/mattermost/signout',
} as const;
