/**
 * Rich-notification encryption exactly as Graph does it (graph-api.md §5.3): a fresh 32-byte key per
 * notification, AES-256-CBC with IV = the key's first 16 bytes and PKCS#7 padding, HMAC-SHA256 of the
 * ciphertext with the same key, and the key wrapped with RSA-OAEP (SHA-1, MGF1-SHA-1) under the subscriber's
 * certificate. Pure: no state, no clock.
 */
import {
  constants,
  createCipheriv,
  createHmac,
  publicEncrypt,
  randomBytes,
  X509Certificate,
} from 'node:crypto';

export interface EncryptedContent {
  data: string;
  dataSignature: string;
  dataKey: string;
  encryptionCertificateId: string;
  encryptionCertificateThumbprint: string;
}

/** Parses the subscription's `encryptionCertificate` (base64 DER; a PEM is tolerated). Throws if invalid. */
export function parseCertificate(encoded: string): X509Certificate {
  const b64 = encoded.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  const cert = new X509Certificate(Buffer.from(b64, 'base64'));
  if (cert.publicKey.asymmetricKeyType !== 'rsa')
    throw new Error('encryptionCertificate must hold an RSA key');
  return cert;
}

export function encryptResource(
  certificate: string,
  certificateId: string,
  resource: unknown,
): EncryptedContent {
  const cert = parseCertificate(certificate);
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  const data = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final()]);
  const signature = createHmac('sha256', key).update(data).digest();
  const dataKey = publicEncrypt(
    { key: cert.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    key,
  );
  return {
    data: data.toString('base64'),
    dataSignature: signature.toString('base64'),
    dataKey: dataKey.toString('base64'),
    encryptionCertificateId: certificateId,
    encryptionCertificateThumbprint: cert.fingerprint.replace(/:/g, ''),
  };
}
