import type { Kysely } from 'kysely';
import type { Vault } from '../core/vault/index.ts';
import type { Database } from './schema.ts';

export interface MicrosoftCertificateTable {
  id: string;
  /** Base64 DER of the X.509 certificate (public, sent to Graph). */
  certificate: string;
  /** PKCS#8 PEM of the private key, vault-sealed and bound to the certificate id. */
  private_key: string;
  key_id: string;
  not_after: Date;
  created_at: Date;
  retired_at: Date | null;
}

export interface CertificateRecord {
  id: string;
  certificateDer: string;
  privateKeyPem: string;
  notAfter: Date;
  createdAt: Date;
  retiredAt: Date | null;
}

const context = (id: string) => `microsoft_certificate:${id}`;

/**
 * The certificates Graph encrypts rich notifications for. Satisfies the Microsoft edge's CertificateStore.
 * Exactly one is current (the newest not retired); retired ones stay readable so notifications encrypted for
 * them before a rotation still decrypt, until `purgeRetired` drops them.
 */
export class MicrosoftCertificates {
  readonly #db: Kysely<Database>;
  readonly #vault: Vault;

  constructor(db: Kysely<Database>, vault: Vault) {
    this.#db = db;
    this.#vault = vault;
  }

  async current(): Promise<CertificateRecord | undefined> {
    const row = await this.#db
      .selectFrom('microsoft_certificate')
      .selectAll()
      .where('retired_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .executeTakeFirst();
    return row ? this.#open(row) : undefined;
  }

  async get(id: string): Promise<CertificateRecord | undefined> {
    const row = await this.#db
      .selectFrom('microsoft_certificate')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? this.#open(row) : undefined;
  }

  /** Adds a certificate and retires every other current one, in one transaction. */
  async add(
    cert: { id: string; certificateDer: string; privateKeyPem: string; notAfter: Date },
    now: Date,
  ): Promise<void> {
    await this.#db.transaction().execute(async (tx) => {
      await tx
        .updateTable('microsoft_certificate')
        .set({ retired_at: now })
        .where('retired_at', 'is', null)
        .execute();
      await tx
        .insertInto('microsoft_certificate')
        .values({
          id: cert.id,
          certificate: cert.certificateDer,
          private_key: this.#vault.seal(cert.privateKeyPem, context(cert.id)),
          key_id: this.#vault.activeKeyId,
          not_after: cert.notAfter,
          created_at: now,
          retired_at: null,
        })
        .execute();
    });
  }

  async purgeRetired(before: Date): Promise<number> {
    const r = await this.#db
      .deleteFrom('microsoft_certificate')
      .where('retired_at', '<', before)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  #open(row: MicrosoftCertificateTable): CertificateRecord {
    return {
      id: row.id,
      certificateDer: row.certificate,
      privateKeyPem: this.#vault.openText(row.private_key, context(row.id)).text,
      notAfter: row.not_after,
      createdAt: row.created_at,
      retiredAt: row.retired_at,
    };
  }
}
