import { z } from 'zod';
import { key } from './key-meta.ts';

export const microsoftClouds = ['public', 'usgov', 'usgov-dod', 'china'] as const;

/**
 * The Entra ID app registration (single tenant, client secret) and the cloud it lives in. Explicit
 * authorityHost/graphUrl override the cloud's endpoints: that is how the simulator is used, and how a
 * deployment reaches a cloud we have no preset for. caFile adds a CA to the ones Node trusts for these hosts.
 */
export const microsoftSection = z
  .strictObject({
    cloud: key(z.enum(microsoftClouds).default('public'), {
      description:
        'National cloud: public (login.microsoftonline.com, graph.microsoft.com), usgov (GCC High, L4), usgov-dod (DoD, L5) or china (21Vianet).',
      example: 'public',
    }),
    tenantId: key(z.string().min(1).optional(), {
      description: 'Directory (tenant) id of the app registration. Unset: run the sandbox with simulators.',
      env: ['MM365_MICROSOFT_TENANT_ID', 'AZURE_TENANT_ID'],
      example: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    }),
    clientId: key(z.string().min(1).optional(), {
      description: 'Application (client) id of the app registration.',
      env: ['MM365_MICROSOFT_CLIENT_ID', 'AZURE_CLIENT_ID'],
      example: '0f8fad5b-d9cb-469f-a165-70867728950e',
    }),
    clientSecret: key(z.string().min(1).optional(), {
      description: 'Client secret of the app registration (Certificates & secrets).',
      env: ['MM365_MICROSOFT_CLIENT_SECRET', 'AZURE_CLIENT_SECRET'],
      example: 'Qx~8Q~abcdefghijklmnopqrstuvwxyz0123456789',
      secret: true,
    }),
    authorityHost: key(z.url({ protocol: /^https$/ }).optional(), {
      description: "Entra ID host, overriding the cloud's (must be https; the tenant id is appended).",
      example: 'https://login.microsoftonline.com',
    }),
    graphUrl: key(z.url({ protocol: /^https$/ }).optional(), {
      description: "Microsoft Graph base URL with version, overriding the cloud's.",
      example: 'https://graph.microsoft.com/v1.0',
    }),
    forceConsent: key(z.boolean().default(false), {
      description:
        "Ask every user to consent to the permissions at each sign-in (prompt=consent; the Calendar plugin's OAuth2ForceConsent). Leave off when an admin granted tenant-wide consent: since 2026 forced consent blocks users who may not consent themselves (plugin issue #536).",
      env: ['MM365_MICROSOFT_FORCE_CONSENT'],
      example: 'false',
      envKind: 'boolean',
    }),
    caFile: key(z.string().min(1).optional(), {
      description:
        'PEM file of an extra certificate authority to trust for Entra ID and Graph (a TLS-inspecting proxy, the simulator).',
      example: '/etc/ssl/private-ca.pem',
    }),
  })
  .superRefine((s, ctx) => {
    if (s.tenantId) {
      for (const k of ['clientId', 'clientSecret'] as const) {
        if (!s[k])
          ctx.addIssue({ code: 'custom', path: [k], message: 'is required when microsoft.tenantId is set' });
      }
    }
  });
