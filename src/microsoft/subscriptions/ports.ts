/**
 * Storage the subscription manager needs; src/store/microsoft-subscription.ts and
 * src/store/microsoft-certificate.ts implement them (the composition root passes them in).
 */
export interface SubscriptionTarget {
  kind: string;
  ownerKey: string;
  resource: string;
  changeType: string;
  /** JSON of SubscriptionAuth. */
  auth: string;
  includeResourceData: boolean;
  lifetimeMinutes: number;
}

export interface SubscriptionRecord extends SubscriptionTarget {
  id: string;
  graphId: string | null;
  clientStateHash: string | null;
  certificateId: string | null;
  expiresAt: Date | null;
  status: string;
  lastError: string | null;
}

export type SubscriptionChange = Partial<
  Pick<
    SubscriptionRecord,
    'graphId' | 'clientStateHash' | 'certificateId' | 'expiresAt' | 'status' | 'lastError'
  >
>;

export interface SubscriptionStore {
  upsert(target: SubscriptionTarget): Promise<SubscriptionRecord>;
  get(id: string): Promise<SubscriptionRecord | undefined>;
  getByGraphId(graphId: string): Promise<SubscriptionRecord | undefined>;
  listByOwner(ownerKey: string, kind?: string): Promise<SubscriptionRecord[]>;
  listDue(before: Date, limit: number): Promise<SubscriptionRecord[]>;
  /** A lease: true when `owner` may call Graph for this row until `until`. */
  claim(id: string, owner: string, now: Date, until: Date): Promise<boolean>;
  release(id: string, owner: string): Promise<void>;
  update(id: string, change: SubscriptionChange): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface CertificateRecord {
  id: string;
  certificateDer: string;
  privateKeyPem: string;
  notAfter: Date;
  createdAt: Date;
  retiredAt: Date | null;
}

export interface CertificateStore {
  current(): Promise<CertificateRecord | undefined>;
  get(id: string): Promise<CertificateRecord | undefined>;
  add(
    cert: { id: string; certificateDer: string; privateKeyPem: string; notAfter: Date },
    now: Date,
  ): Promise<void>;
}
