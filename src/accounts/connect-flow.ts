import { randomUUID } from 'node:crypto';
import type { AccountService, Feature } from '../core/accounts/index.ts';
import type { Clock } from '../core/clock.ts';
import type { CommandReply } from '../core/commands/index.ts';
import { AppError, isAppError } from '../core/errors.ts';
import type { MmUserId } from '../core/ids.ts';
import type { Logger } from '../core/log.ts';
import type { TokenSigner } from '../core/signed-token.ts';
import type { Vault } from '../core/vault/index.ts';
import type { ConnectRequests } from '../store/index.ts';
import { accountErrors } from './errors.ts';
import type {
  BotPosts,
  ConnectLinks,
  MattermostDirectory,
  MicrosoftSessions,
  MicrosoftSignIn,
  WebSignIn,
} from './ports.ts';

/** The service's pages for connecting, relative to server.publicUrl. */
export const connectPaths = {
  start: '/connect/start',
  microsoftCallback: '/connect/microsoft/callback',
} as const;

export const featureNames: Record<Feature, string> = {
  calendar: 'Microsoft Calendar',
  teams: 'Microsoft Teams',
};
const triggers: Record<Feature, string> = { calendar: 'mscalendar', teams: 'msteams' };

/** How long the DMed link works, and how long the Microsoft sign-in may take once started. */
const linkTtlMs = 15 * 60_000;
const signInTtlMs = 10 * 60_000;

export interface ConnectFlowDeps {
  accounts: AccountService;
  requests: ConnectRequests;
  signer: TokenSigner;
  vault: Vault;
  directory: MattermostDirectory;
  posts: BotPosts;
  webSignIn: WebSignIn;
  signIn: MicrosoftSignIn;
  sessions: MicrosoftSessions;
  clock: Clock;
  log: Logger;
  /** Called once a feature is connected and its tokens are stored (a feature starts its sync). Failures are logged. */
  onConnected?: (mmUserId: MmUserId, feature: Feature) => Promise<void>;
  /** What each feature offers, added under "Connected as …" in the DM so the user knows what to do next. */
  welcome?: Partial<Record<Feature, string>>;
  /**
   * Called when a feature is disconnected, before the user's tokens are forgotten, so the feature can still
   * delete its Graph subscriptions as the user. Failures are logged, not thrown.
   */
  onDisconnected?: (mmUserId: MmUserId, feature: Feature) => Promise<void>;
}

/** What a browser page shows at the end of a step. */
export interface PageResult {
  status: number;
  title: string;
  message: string;
}

/**
 * Connecting a Microsoft account, start to finish:
 * 1. `/<trigger> connect` → the bot DMs a single-use link, valid 15 minutes, for this user only;
 * 2. the link (once the browser is signed in to Mattermost as that user) → Entra ID's sign-in, asking only
 *    the feature's scopes (incremental consent), with a signed state;
 * 3. Entra's callback → redeem the code, apply the account rules (e-mail policy, one-to-one), update the DM
 *    ("Connected as …") and show a page the user can close.
 * Every step checks that the browser's Mattermost user is the one the link was made for.
 */
export class ConnectFlow implements ConnectLinks {
  readonly #d: ConnectFlowDeps;

  constructor(deps: ConnectFlowDeps) {
    this.#d = deps;
  }

  /** Step 1, from the slash command. */
  async request(mmUserId: MmUserId, feature: Feature): Promise<CommandReply> {
    const user = await this.#d.directory.user(mmUserId);
    if (!user || user.isBot) return { text: 'Only people can connect a Microsoft account.' };
    const account = await this.#d.accounts.get(mmUserId);
    if (account?.status === 'active' && account.features.includes(feature)) {
      return {
        text: `You are already connected to ${featureNames[feature]} as ${account.microsoft.userPrincipalName}. To use another Microsoft account, run \`/${triggers[feature]} disconnect\` first.`,
      };
    }
    const { id, link } = await this.#newLink(mmUserId, feature);
    const intro =
      account?.status === 'inactive'
        ? `Your Microsoft connection stopped working. [Reconnect your Microsoft account](${link}) to use ${featureNames[feature]} again.`
        : `[Connect your Microsoft account](${link}) to use ${featureNames[feature]} in Mattermost.`;
    const postId = await this.#d.posts.dmPost(
      mmUserId,
      `${intro}\nThe link works once, for 15 minutes, and only for you.`,
    );
    await this.#d.requests.setDmPost(id, postId);
    return { text: 'I sent you a direct message with a link to connect your Microsoft account.' };
  }

  /** For the keep-alive DM: a link that reconnects the account for the first feature it was connected for. */
  async reconnectUrl(mmUserId: MmUserId): Promise<string> {
    const account = await this.#d.accounts.get(mmUserId);
    return (await this.#newLink(mmUserId, account?.features[0] ?? 'calendar')).link;
  }

  /** A connect request and its link: through the Mattermost sign-in, then /connect/start with a signed token. */
  async #newLink(mmUserId: MmUserId, feature: Feature): Promise<{ id: string; link: string }> {
    const id = randomUUID();
    const now = this.#d.clock.now();
    await this.#d.requests.create({ id, mmUserId, feature, createdAt: new Date(now) });
    const token = this.#d.signer.sign('connect-link', { r: id, u: mmUserId, f: feature }, now + linkTtlMs);
    const link = await this.#d.webSignIn.linkFor(
      mmUserId,
      `${connectPaths.start}?token=${encodeURIComponent(token)}`,
    );
    return { id, link };
  }

  /**
   * Step 2, from the browser: returns the URL to send it to. `browserUserId` is the Mattermost user the browser
   * is signed in as (the Mattermost edge establishes it). Throws coded errors for a forged, expired, reused or
   * someone else's link.
   */
  async start(token: string, browserUserId: MmUserId): Promise<string> {
    const now = this.#d.clock.now();
    const link = this.#d.signer.verify<{ r: string; u: MmUserId; f: Feature }>('connect-link', token, now);
    if (link.u !== browserUserId) throw wrongUser();
    const req = await this.#d.requests.get(link.r);
    if (!req || req.completedAt) throw linkUsed(link.f);
    const user = await this.#d.directory.user(link.u);
    if (!user)
      throw new AppError(accountErrors.MM365_CONNECT_NO_USER, 'Your Mattermost account was not found.');
    const state = this.#d.signer.sign(
      'connect-signin',
      { r: link.r, u: link.u, f: link.f },
      now + signInTtlMs,
    );
    const { url, codeVerifier } = await this.#d.signIn.authorizeUrl({
      feature: link.f,
      state,
      loginHint: user.email,
    });
    await this.#d.requests.setCodeVerifier(
      link.r,
      this.#d.vault.seal(codeVerifier, `connect_request:${link.r}`),
    );
    return url;
  }

  /**
   * Step 3, Entra's redirect back: `query` is its query string (code + state, or error + error_description).
   * Never throws: every outcome is a page, and the DM says the same.
   */
  async complete(query: Record<string, string | undefined>, browserUserId: MmUserId): Promise<PageResult> {
    let link: { r: string; u: MmUserId; f: Feature };
    try {
      link = this.#d.signer.verify('connect-signin', query.state, this.#d.clock.now());
      if (link.u !== browserUserId) throw wrongUser();
    } catch (err) {
      return failurePage(err);
    }
    const req = await this.#d.requests.get(link.r);
    if (query.error) {
      const why =
        query.error === 'access_denied'
          ? 'the permissions were not granted'
          : (query.error_description ?? query.error);
      const message = `Microsoft sign-in did not complete: ${why}. You can try again with \`/${triggers[link.f]} connect\`.`;
      await this.#updateDm(req?.dmPostId, `❌ ${message}`);
      return { status: 400, title: 'Not connected', message };
    }
    if (
      !query.code ||
      !req?.sealedCodeVerifier ||
      !(await this.#d.requests.claim(link.r, new Date(this.#d.clock.now())))
    ) {
      return failurePage(linkUsed(link.f));
    }
    const codeVerifier = this.#d.vault.openText(req.sealedCodeVerifier, `connect_request:${link.r}`).text;

    try {
      const { identity, persist } = await this.#d.signIn.redeem({
        feature: link.f,
        code: query.code,
        codeVerifier,
      });
      const user = await this.#d.directory.user(link.u);
      if (!user)
        throw new AppError(accountErrors.MM365_CONNECT_NO_USER, 'Your Mattermost account was not found.');
      // The rules first: a refused sign-in stores no token, so an existing connection stays as it was.
      const account = await this.#d.accounts.connect({
        mattermost: { userId: user.id, email: user.email },
        microsoft: identity,
        feature: link.f,
      });
      await persist(link.u);
      await this.#d.onConnected?.(link.u, link.f).catch((err: unknown) => {
        this.#d.log.error(
          { err, mmUserId: link.u, feature: link.f },
          'starting the feature after connecting failed',
        );
      });
      const message = `Connected to ${featureNames[link.f]} as ${account.microsoft.userPrincipalName} (${account.microsoft.displayName}).`;
      const next = this.#d.welcome?.[link.f];
      await this.#updateDm(req?.dmPostId, next ? `✅ ${message}\n\n${next}` : `✅ ${message}`);
      this.#d.log.info({ mmUserId: link.u, feature: link.f }, 'Microsoft account connected');
      return {
        status: 200,
        title: 'Connected',
        message: `${message} You can close this window and go back to Mattermost.`,
      };
    } catch (err) {
      const page = failurePage(err);
      if (page.status >= 500)
        this.#d.log.error({ err, mmUserId: link.u }, 'connecting a Microsoft account failed');
      await this.#updateDm(req?.dmPostId, `❌ Could not connect your Microsoft account: ${page.message}`);
      return page;
    }
  }

  /** `/<trigger> disconnect`. */
  async disconnect(mmUserId: MmUserId, feature: Feature): Promise<CommandReply> {
    const account = await this.#d.accounts.get(mmUserId);
    const { wasConnected, remaining } = await this.#d.accounts.disconnect(mmUserId, feature);
    if (!wasConnected || !account) return { text: `You are not connected to ${featureNames[feature]}.` };
    await this.#d.onDisconnected?.(mmUserId, feature).catch((err: unknown) => {
      this.#d.log.warn({ err, mmUserId, feature }, 'clean-up after disconnect failed');
    });
    if (remaining.length === 0) await this.#d.sessions.forget(mmUserId);
    const still =
      remaining.length > 0
        ? ` Your account stays connected for ${remaining.map((f) => featureNames[f]).join(' and ')}.`
        : '';
    return {
      text: `Disconnected ${account.microsoft.userPrincipalName} from ${featureNames[feature]}.${still}`,
    };
  }

  /** `/<trigger> status`. */
  async status(mmUserId: MmUserId, feature: Feature): Promise<CommandReply> {
    const account = await this.#d.accounts.get(mmUserId);
    const trigger = triggers[feature];
    if (!account)
      return { text: `You are not connected to Microsoft 365. Run \`/${trigger} connect\` to connect.` };
    const features = account.features.map((f) => featureNames[f]).join(' and ');
    if (account.status === 'inactive') {
      return {
        text: `Your Microsoft account ${account.microsoft.userPrincipalName} is connected for ${features}, but the connection stopped working on ${account.updatedAt.toISOString().slice(0, 10)}. Run \`/${trigger} connect\` to reconnect.`,
      };
    }
    const here = account.features.includes(feature)
      ? ''
      : ` Run \`/${trigger} connect\` to use it for ${featureNames[feature]} too.`;
    return {
      text: `You are connected as ${account.microsoft.userPrincipalName} (${account.microsoft.displayName}) for ${features}.${here}`,
    };
  }

  async #updateDm(postId: string | null | undefined, text: string): Promise<void> {
    if (!postId) return;
    await this.#d.posts.updatePost(postId, text).catch((err: unknown) => {
      this.#d.log.warn({ err }, 'could not update the connect DM');
    });
  }
}

function wrongUser(): AppError {
  return new AppError(
    accountErrors.MM365_CONNECT_WRONG_USER,
    'This link was made for another Mattermost user. Sign in to Mattermost as yourself and ask for your own link.',
  );
}

function linkUsed(feature: Feature): AppError {
  return new AppError(
    accountErrors.MM365_CONNECT_LINK_USED,
    `This link was already used. Run \`/${triggers[feature]} connect\` again for a new one.`,
  );
}

function failurePage(err: unknown): PageResult {
  if (isAppError(err) && err.status < 500)
    return { status: err.status, title: 'Not connected', message: err.message };
  return {
    status: 500,
    title: 'Not connected',
    message: 'Something went wrong while connecting. Please try again in a minute.',
  };
}
