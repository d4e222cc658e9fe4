import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../core/errors.ts';
import type { MmUserId } from '../core/ids.ts';
import { sendPage } from './page.ts';

/** What the connect pages need; the composition root passes the accounts flow and the Mattermost sign-in. */
export interface ConnectPagesDeps {
  /**
   * The Mattermost user the browser is signed in as. Undefined means the reply was already sent (a redirect
   * to sign in first); throws a coded error when the browser cannot be signed in here.
   */
  whoIs(request: FastifyRequest, reply: FastifyReply): Promise<MmUserId | undefined>;
  /** Step 2 of the connect flow: where to send the browser (Entra's sign-in). */
  start(token: string, browserUserId: MmUserId): Promise<string>;
  /** Step 3: Entra's redirect back; every outcome is a page. */
  complete(
    query: Record<string, string | undefined>,
    browserUserId: MmUserId,
  ): Promise<{ status: number; title: string; message: string }>;
  paths: { start: string; microsoftCallback: string };
}

/**
 * The browser side of connecting a Microsoft account. Both pages need a browser signed in to Mattermost; a
 * coded refusal (forged, expired, used or someone else's link) is a page with its status and message, never
 * a JSON error in a browser tab.
 */
export function connectPages(deps: ConnectPagesDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(deps.paths.start, async (request, reply) => {
      const token = (request.query as Record<string, unknown>).token;
      if (typeof token !== 'string' || token === '') {
        return sendPage(
          reply,
          400,
          'Link incomplete',
          'This link is missing its token. Ask for a new one with the connect command.',
        );
      }
      return guarded(reply, async () => {
        const user = await deps.whoIs(request, reply);
        if (!user) return reply;
        return reply.redirect(await deps.start(token, user), 302);
      });
    });

    app.get(deps.paths.microsoftCallback, async (request, reply) =>
      guarded(reply, async () => {
        const user = await deps.whoIs(request, reply);
        if (!user) return reply;
        const query = Object.fromEntries(
          Object.entries(request.query as Record<string, unknown>).filter(
            (e): e is [string, string] => typeof e[1] === 'string',
          ),
        );
        const result = await deps.complete(query, user);
        return sendPage(reply, result.status, result.title, result.message);
      }),
    );
  };
}

async function guarded(reply: FastifyReply, run: () => Promise<FastifyReply>): Promise<FastifyReply> {
  try {
    return await run();
  } catch (err) {
    if (isAppError(err) && err.status < 500) return sendPage(reply, err.status, 'Not connected', err.message);
    reply.log.error({ err }, 'connect page failed');
    return sendPage(reply, 500, 'Not connected', 'Something went wrong. Please try again in a minute.');
  }
}
