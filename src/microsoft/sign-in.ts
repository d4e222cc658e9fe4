import { z } from 'zod';
import type { Feature, MicrosoftIdentity } from '../core/accounts/account.ts';
import { parseEntraUserId, parseTenantId } from '../core/ids.ts';
import type { AuthorizeRequest, MicrosoftAuth } from './auth/microsoft-auth.ts';
import type { GraphClient } from './graph/graph-client.ts';
import { GraphSession } from './graph/graph-session.ts';

const meSchema = z.object({
  id: z.string().min(1),
  mail: z.string().nullable().optional(),
  userPrincipalName: z.string().min(1),
  displayName: z.string().nullable().optional(),
});

export interface CompletedSignIn {
  identity: MicrosoftIdentity;
  grantedScopes: string[];
  /** Stores the tokens under `partition`; call once the accounts layer accepted the identity. */
  persist(partition: string): Promise<void>;
}

/**
 * The Microsoft half of "connect": start (authorize URL + PKCE verifier for the caller to keep with its
 * signed state) and complete (redeem, then read `/me` for the mail the e-mail policy compares).
 */
export class MicrosoftSignIn {
  readonly #auth: MicrosoftAuth;
  readonly #graph: GraphClient;

  constructor(auth: MicrosoftAuth, graph: GraphClient) {
    this.#auth = auth;
    this.#graph = graph;
  }

  start(req: AuthorizeRequest): Promise<{ url: string; codeVerifier: string }> {
    return this.#auth.authorizeUrl(req);
  }

  async complete(input: {
    feature: Feature;
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<CompletedSignIn> {
    const redeemed = await this.#auth.redeem(input);
    const session = new GraphSession(this.#graph, {
      token: async () => redeemed.accessToken,
      feature: 'core',
    });
    const me = await session.parse(meSchema, {
      path: '/me',
      query: { $select: 'id,mail,userPrincipalName,displayName' },
    });
    return {
      identity: {
        tenantId: parseTenantId(redeemed.tenantId),
        entraUserId: parseEntraUserId(me.id),
        mail: me.mail ? me.mail.toLowerCase() : null,
        userPrincipalName: me.userPrincipalName,
        displayName: me.displayName ?? redeemed.displayName,
      },
      grantedScopes: redeemed.grantedScopes,
      persist: redeemed.persist,
    };
  }
}
