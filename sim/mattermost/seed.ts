import { z } from 'zod';
import { createSession } from './auth.ts';
import { applyConfigPatch } from './config.ts';
import { insertBot } from './handlers/bots.ts';
import { insertChannel, insertChannelMember } from './handlers/channels.ts';
import { insertTeam, insertTeamMember } from './handlers/teams.ts';
import { insertUser } from './handlers/users.ts';
import { newId } from './ids.ts';
import type { SimState } from './state.ts';

/**
 * Seed files: the initial world, as JSON. `startMattermostSim({seed})` and `POST /_sim/reset` take one; without
 * one the demo seed below is used. Every user with a password gets a fresh login session whose token is in the
 * ready line; bots get a bot access token.
 *
 * Shape (all keys optional except where noted):
 * {
 *   "config": { "ServiceSettings": { … }, … },              // a config patch (config.ts), strict keys
 *   "users": [{ "username", "email", "password"?, "first_name"?, "last_name"?, "roles"?, "auth_service"? }],
 *   "teams": [{ "name", "display_name"?, "members": ["alice", …], "admins"?: [...],
 *               "channels"?: [{ "name", "display_name"?, "type"?: "O"|"P", "members"?: [...] | "all" }] }],
 *   "bots":  [{ "username", "display_name"?, "owner", "teams"?: ["acme"] }]
 * }
 * Teams always get town-square and off-topic, joined by every team member.
 */
const SeedSchema = z.object({
  config: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  users: z
    .array(
      z.object({
        username: z.string(),
        email: z.string(),
        password: z.string().optional(),
        first_name: z.string().optional(),
        last_name: z.string().optional(),
        nickname: z.string().optional(),
        roles: z.string().optional(),
        auth_service: z.string().optional(),
      }),
    )
    .default([]),
  teams: z
    .array(
      z.object({
        name: z.string(),
        display_name: z.string().optional(),
        members: z.array(z.string()).default([]),
        admins: z.array(z.string()).default([]),
        channels: z
          .array(
            z.object({
              name: z.string(),
              display_name: z.string().optional(),
              type: z.enum(['O', 'P']).optional(),
              members: z.union([z.array(z.string()), z.literal('all')]).optional(),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
  bots: z
    .array(
      z.object({
        username: z.string(),
        display_name: z.string().optional(),
        owner: z.string(),
        teams: z.array(z.string()).default([]),
      }),
    )
    .default([]),
});

export type Seed = z.input<typeof SeedSchema>;

export interface ReadyWorld {
  adminToken: string;
  users: Record<string, { id: string; token: string; password: string }>;
  bots: Record<string, { id: string; token: string }>;
  teams: Record<string, { id: string; channels: Record<string, string> }>;
}

export const DEMO_SEED: Seed = {
  config: {
    ServiceSettings: {
      EnableBotAccountCreation: true,
      EnableUserAccessTokens: true,
      AllowedUntrustedInternalConnections: 'localhost 127.0.0.1 ::1',
    },
  },
  users: [
    {
      username: 'sysadmin',
      email: 'sysadmin@example.org',
      password: 'Sysadmin-pass-1',
      first_name: 'System',
      last_name: 'Admin',
      roles: 'system_user system_admin',
    },
    {
      username: 'alice',
      email: 'alice@contoso.example',
      password: 'Alice-pass-1',
      first_name: 'Alice',
      last_name: 'Anders',
    },
    {
      username: 'bob',
      email: 'bob@contoso.example',
      password: 'Bob-pass-1',
      first_name: 'Bob',
      last_name: 'Berg',
    },
    {
      username: 'carol',
      email: 'carol@contoso.example',
      password: 'Carol-pass-1',
      first_name: 'Carol',
      last_name: 'Chen',
    },
    {
      username: 'dave',
      email: 'dave@example.org',
      password: 'Dave-pass-1',
      first_name: 'Dave',
      last_name: 'Dunn',
    },
  ],
  teams: [
    {
      name: 'acme',
      display_name: 'Acme',
      members: ['sysadmin', 'alice', 'bob', 'carol', 'dave'],
      admins: ['sysadmin'],
    },
  ],
};

/** Fills an empty state from a seed; throws a readable error for a malformed seed. */
export function applySeed(state: SimState, raw: unknown): ReadyWorld {
  const parsed = SeedSchema.safeParse(raw ?? DEMO_SEED);
  if (!parsed.success) throw new TypeError(`invalid seed: ${parsed.error.message}`);
  const seed = parsed.data;
  applyConfigPatch(state.config, seed.config);
  const ready: ReadyWorld = { adminToken: '', users: {}, bots: {}, teams: {} };
  const byName = (username: string): string => {
    const u = state.userByUsername(username);
    if (!u) throw new TypeError(`seed names unknown user ${username}`);
    return u.id;
  };
  for (const u of seed.users) {
    const user = insertUser(state, { ...u });
    const session = createSession(state, user.id, 'login');
    ready.users[user.username] = { id: user.id, token: session.token, password: u.password ?? '' };
    if (!ready.adminToken && user.roles.split(' ').includes('system_admin')) ready.adminToken = session.token;
  }
  for (const t of seed.teams) {
    const creator = seed.teams.length > 0 && t.admins[0] ? byName(t.admins[0]) : '';
    const team = insertTeam(state, {
      name: t.name,
      display_name: t.display_name ?? t.name,
      creator_id: creator,
    });
    for (const m of t.members)
      insertTeamMember(
        state,
        team.id,
        byName(m),
        t.admins.includes(m) ? 'team_user team_admin' : 'team_user',
      );
    const channels: Record<string, string> = {};
    for (const c of state.channels.values()) if (c.team_id === team.id) channels[c.name] = c.id;
    for (const c of t.channels) {
      const ch = insertChannel(state, {
        team_id: team.id,
        type: c.type ?? 'O',
        name: c.name,
        display_name: c.display_name ?? c.name,
        creator_id: creator,
      });
      const members = c.members === 'all' ? t.members : (c.members ?? []);
      for (const m of members) insertChannelMember(state, ch.id, byName(m));
      channels[c.name] = ch.id;
    }
    ready.teams[t.name] = { id: team.id, channels };
  }
  for (const b of seed.bots) {
    const bot = insertBot(state, {
      username: b.username,
      display_name: b.display_name ?? b.username,
      owner_id: byName(b.owner),
    });
    const patId = newId();
    const session = createSession(state, bot.user_id, 'pat', { pat_id: patId });
    state.accessTokens.set(patId, {
      id: patId,
      token: session.token,
      user_id: bot.user_id,
      description: 'seed',
      is_active: true,
      expires_at: 0,
    });
    for (const teamName of b.teams) {
      const team = ready.teams[teamName];
      if (!team) throw new TypeError(`seed bot ${b.username} names unknown team ${teamName}`);
      insertTeamMember(state, team.id, bot.user_id);
    }
    ready.bots[b.username] = { id: bot.user_id, token: session.token };
  }
  return ready;
}
