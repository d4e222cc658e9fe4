import { z } from 'zod';

/**
 * The change-notification envelope Graph POSTs (graph-api.md §5.3), validated at the edge. Unknown fields
 * are kept (passthrough) so the stored body is what Graph sent, minus the clientState.
 */
export const encryptedContentSchema = z.object({
  data: z.string(),
  dataSignature: z.string(),
  dataKey: z.string(),
  encryptionCertificateId: z.string(),
  encryptionCertificateThumbprint: z.string().optional(),
});

export const changeNotificationSchema = z
  .object({
    subscriptionId: z.string().min(1).max(128),
    subscriptionExpirationDateTime: z.string().optional(),
    changeType: z.string().optional(),
    lifecycleEvent: z.string().optional(),
    clientState: z.string().nullable().optional(),
    resource: z.string().optional(),
    resourceData: z.record(z.string(), z.unknown()).optional(),
    tenantId: z.string().optional(),
    encryptedContent: encryptedContentSchema.optional(),
  })
  .passthrough();

export const notificationEnvelopeSchema = z.object({
  value: z.array(changeNotificationSchema).min(1).max(1000),
  validationTokens: z.array(z.string()).optional(),
});

export type ChangeNotification = z.infer<typeof changeNotificationSchema>;

/** A verified notification as features receive it (clientState removed, rich content decrypted if any). */
export interface GraphNotification {
  /** Our subscription row. */
  subscription: { id: string; kind: string; ownerKey: string; resource: string };
  changeType: 'created' | 'updated' | 'deleted' | string;
  /** e.g. `Users/{id}/Events/{id}`, `chats('…')/messages('…')`. */
  resource: string;
  resourceData: Record<string, unknown>;
  tenantId: string | undefined;
  /** The decrypted resource of a rich notification. */
  content?: unknown;
}

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';
