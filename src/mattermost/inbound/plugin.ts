import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { Signin } from '../signin/signin.ts';
import { actionRoute } from './action-route.ts';
import type { InboundDeps } from './deps.ts';
import { dialogRoute } from './dialog-route.ts';
import { paths } from './paths.ts';
import { slashCommandRoute } from './slash-command.ts';

/**
 * The edge's inbound routes as one encapsulated Fastify plugin (house style rule 14): its own form-encoded
 * parser (slash commands) next to Fastify's JSON one (actions, dialogs), and small body limits (Mattermost
 * sends small payloads). Errors fall through to the shell's error handler, which maps the coded errors.
 * Register it without fastify-plugin so the parser stays inside.
 */
export function inboundPlugin(deps: InboundDeps, signin: Signin) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    app.post(paths.command, { bodyLimit: 64 * 1024 }, slashCommandRoute(deps));
    app.post(paths.action, { bodyLimit: 256 * 1024 }, actionRoute(deps));
    app.post(paths.dialog, { bodyLimit: 256 * 1024 }, dialogRoute(deps));
    app.get(paths.signinStart, (request, reply) => signin.start(request, reply));
    app.get(paths.oauthCallback, (request, reply) => signin.callback(request, reply));
    app.get(paths.signinLink, (request, reply) => signin.link(request, reply));
    app.post(paths.signout, (request, reply) => signin.signOut(request, reply));
  };
}
