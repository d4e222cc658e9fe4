import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import { AppError } from '../../core/errors.ts';
import { type MmUserId, parseMmUserId } from '../../core/ids.ts';
import type { Logger } from '../../core/log.ts';
import type { TokenSigner } from '../../core/signed-token.ts';
import type { MattermostRest } from '../client/rest.ts';
import { paths } from '../inbound/paths.ts';
import type { Messenger } from '../messages/messenger.ts';
import type { LinkUseStore, OAuthFlowStore, UserTokenStore, WebSessionStore } from '../ports.ts';
import type { MattermostOAuthClient } from './oauth-client.ts';
import { pkcePair, randomToken, sha256 } from './pkce.ts';
import { cookie, readCookie } from './web-cookies.ts';

export const SESSION_COOKIE = 'mm365_session';
export const FLOW_COOKIE = 'mm365_flow';
const STATE_PURPOSE = 'mattermost.oauth-state';
const FOR_PURPOSE = 'mattermost.signin-for';
const LINK_PURPOSE = 'mattermost.signin-link';
const FLOW_TTL_MS = 10 * 60_000;
const LINK_TTL_MS = 10 * 60_000;

export interface SigninDeps {
  rest: MattermostRest;
  /** Undefined when no OAuth app is configured: signed links are the fallback. */
  oauth: MattermostOAuthClient | undefined;
  flows: OAuthFlowStore;
  sessions: WebSessionStore;
  links: LinkUseStore;
  userTokens: UserTokenStore;
  messenger: Messenger;
  signer: () => Promise<TokenSigner>;
  clock: Clock;
  log: Logger;
  publicUrl: () => string;
  /** How long a browser stays signed in. Default 8 h. */
  sessionTtlMs?: number;
}

/** Only our own pages: a path on this site, never `//host` or a scheme (no open redirect). */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !/^\/(?![/\\])[^\s]*$/.test(value)) return '/';
  return value;
}

/**
 * "Sign in with Mattermost": binds a Mattermost user to a browser session for every web flow.
 *
 * With an OAuth app (the safer set-up), the browser goes through Mattermost's /oauth/authorize with PKCE;
 * the `state` is signed and names a flow row that is single-use and bound (by a cookie hash) to the browser
 * that started it, so a replayed state, or one started by someone else, is refused. The user's tokens are
 * kept (encrypted) for acting as them. Without one, the bot DMs a single-use signed link that lives 10 min:
 * whoever opens it is signed in as its recipient, which is why doctor recommends the OAuth app.
 */
export class Signin {
  readonly #d: SigninDeps;

  constructor(deps: SigninDeps) {
    this.#d = deps;
  }

  get mode(): 'oauth' | 'link' {
    return this.#d.oauth ? 'oauth' : 'link';
  }

  get #secure(): boolean {
    return this.#d.publicUrl().startsWith('https:');
  }

  /**
   * A URL that signs `userId` in and lands on `returnTo`: the OAuth start bound to that user when an app is
   * configured (signing in as anyone else is refused), else a single-use signed link.
   */
  async linkFor(userId: string, returnTo: string): Promise<string> {
    const signer = await this.#d.signer();
    const now = this.#d.clock.now();
    const base = this.#d.publicUrl();
    if (this.#d.oauth) {
      const forToken = signer.sign(FOR_PURPOSE, { u: userId }, now + 7 * 86_400_000);
      return `${base}${paths.signinStart}?${new URLSearchParams({ to: safeReturnTo(returnTo), for: forToken })}`;
    }
    const token = signer.sign(
      LINK_PURPOSE,
      { l: randomToken(16), u: userId, r: safeReturnTo(returnTo) },
      now + LINK_TTL_MS,
    );
    return `${base}${paths.signinLink}?${new URLSearchParams({ t: token })}`;
  }

  /** DMs `userId` a sign-in link (see linkFor) with `text` before it. */
  async sendLink(userId: string, returnTo: string, text = 'Sign in to continue:'): Promise<void> {
    const url = await this.linkFor(userId, returnTo);
    const note = this.#d.oauth ? '' : ' (this link works once, for 10 minutes; do not share it)';
    await this.#d.messenger.dm(userId, `${text} [Open](${url})${note}`);
  }

  /** The Mattermost user this browser is signed in as, or undefined. */
  async userOf(request: FastifyRequest): Promise<MmUserId | undefined> {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (!id) return undefined;
    const found = await this.#d.sessions.find(sha256(id), new Date(this.#d.clock.now()));
    return found ? parseMmUserId(found.userId) : undefined;
  }

  /** Ends this browser's session (the row and the cookie). Idempotent. */
  async signOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (id) await this.#d.sessions.delete(sha256(id));
    void reply.header('set-cookie', cookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: this.#secure }));
    await reply.status(204).send();
  }

  /**
   * For web pages that need a user: the signed-in user, or (OAuth mode) a redirect to sign in and back;
   * in link mode MM365_MM_NOT_SIGNED_IN, since only the bot can hand out a link.
   */
  async requireUser(request: FastifyRequest, reply: FastifyReply): Promise<MmUserId | undefined> {
    const user = await this.userOf(request);
    if (user) return user;
    if (!this.#d.oauth) {
      throw new AppError(
        'MM365_MM_NOT_SIGNED_IN',
        'Please open the sign-in link the bot sent you in Mattermost.',
      );
    }
    await reply.redirect(`${paths.signinStart}?${new URLSearchParams({ to: safeReturnTo(request.url) })}`);
    return undefined;
  }

  /** GET /mattermost/signin?to=&for= : starts the OAuth flow. */
  async start(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const oauth = this.#d.oauth;
    if (!oauth) {
      throw new AppError(
        'MM365_MM_OAUTH_NOT_CONFIGURED',
        'Sign-in through Mattermost is not set up here. Open the sign-in link the bot sent you in Mattermost.',
      );
    }
    const query = (request.query ?? {}) as Record<string, unknown>;
    const signer = await this.#d.signer();
    const now = this.#d.clock.now();
    const expected = query.for ? signer.verify<{ u: string }>(FOR_PURPOSE, query.for, now).u : null;
    const binding = readCookie(request.headers.cookie, FLOW_COOKIE) ?? randomToken();
    const nonce = randomToken(18);
    const { verifier, challenge } = pkcePair();
    await this.#d.flows.create({
      nonce,
      bindingHash: sha256(binding),
      codeVerifier: verifier,
      returnTo: safeReturnTo(query.to),
      expectedUserId: expected,
      expiresAt: new Date(now + FLOW_TTL_MS),
    });
    const state = signer.sign(STATE_PURPOSE, { n: nonce }, now + FLOW_TTL_MS);
    void reply.header(
      'set-cookie',
      cookie(FLOW_COOKIE, binding, { maxAgeSeconds: FLOW_TTL_MS / 1000, secure: this.#secure }),
    );
    void reply.header('cache-control', 'no-store');
    await reply.redirect(oauth.authorizeUrl(state, challenge));
  }

  /** GET /mattermost/oauth/callback?code&state : finishes it (see the class contract). */
  async callback(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const oauth = this.#d.oauth;
    if (!oauth)
      throw new AppError('MM365_MM_OAUTH_NOT_CONFIGURED', 'Sign-in through Mattermost is not set up here.');
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (typeof query.error === 'string') {
      throw new AppError('MM365_MM_OAUTH_FAILED', 'Mattermost did not sign you in. Please try again.', {
        details: { error: query.error },
      });
    }
    const signer = await this.#d.signer();
    const now = this.#d.clock.now();
    let nonce: string;
    try {
      nonce = signer.verify<{ n: string }>(STATE_PURPOSE, query.state, now).n;
    } catch (cause) {
      throw stateInvalid(cause);
    }
    const binding = readCookie(request.headers.cookie, FLOW_COOKIE);
    const flow = binding ? await this.#d.flows.consume(nonce, sha256(binding), new Date(now)) : undefined;
    if (!flow || typeof query.code !== 'string' || query.code === '') throw stateInvalid();
    const tokens = await oauth.exchangeCode(query.code, flow.codeVerifier, now);
    const me = await this.#d.rest.getMe(tokens.accessToken);
    if (flow.expectedUserId && me.id !== flow.expectedUserId) {
      this.#d.log.warn(
        { expected: flow.expectedUserId, got: me.id },
        'sign-in as another Mattermost user refused',
      );
      throw new AppError(
        'MM365_MM_SIGNIN_USER_MISMATCH',
        `You are signed in to Mattermost as @${me.username}, but this link was sent to someone else. Sign out of Mattermost and open the link again as its recipient.`,
      );
    }
    await this.#d.userTokens.put(me.id, tokens);
    await this.#startSession(reply, me.id, flow.returnTo, true);
  }

  /** GET /mattermost/signin/link?t= : the single-use signed link (fallback mode). */
  async link(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const signer = await this.#d.signer();
    const now = this.#d.clock.now();
    const claims = signer.verify<{ l: string; u: string; r: string }>(LINK_PURPOSE, query.t, now);
    if (!(await this.#d.links.use(claims.l, claims.u, new Date(now)))) {
      throw new AppError(
        'MM365_MM_LINK_USED',
        'This sign-in link was already used. Ask for a new one in Mattermost.',
      );
    }
    await this.#startSession(reply, claims.u, safeReturnTo(claims.r), false);
  }

  async #startSession(
    reply: FastifyReply,
    userId: string,
    returnTo: string,
    clearFlow: boolean,
  ): Promise<void> {
    const ttl = this.#d.sessionTtlMs ?? 8 * 3_600_000;
    const id = randomToken();
    await this.#d.sessions.create(sha256(id), userId, new Date(this.#d.clock.now() + ttl));
    const cookies = [
      cookie(SESSION_COOKIE, id, { maxAgeSeconds: Math.floor(ttl / 1000), secure: this.#secure }),
    ];
    if (clearFlow) cookies.push(cookie(FLOW_COOKIE, '', { maxAgeSeconds: 0, secure: this.#secure }));
    void reply.header('set-cookie', cookies);
    void reply.header('cache-control', 'no-store');
    await reply.redirect(returnTo);
  }
}

function stateInvalid(cause?: unknown): AppError {
  return new AppError(
    'MM365_MM_OAUTH_STATE_INVALID',
    'This sign-in could not be completed: it was already used, expired, or started in another browser. Please start again.',
    cause === undefined ? undefined : { cause },
  );
}
