import { constants, createDecipheriv, createHmac, privateDecrypt, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../core/errors.ts';
import '../errors.ts'; // registers this folder's MM365_* codes, so AppError knows their HTTP status

export interface EncryptedContent {
  data: string;
  dataSignature: string;
  dataKey: string;
  encryptionCertificateId: string;
  encryptionCertificateThumbprint?: string;
}

/**
 * Decrypts a rich notification's resource (graph-api.md §5.3): the data key is RSA-OAEP (SHA-1) wrapped for
 * our certificate; HMAC-SHA256 of the ciphertext under that key must equal dataSignature (checked in constant
 * time before decrypting); the data is AES-256-CBC with IV = the key's first 16 bytes. Pure.
 * Throws MM365_NOTIFICATION_DECRYPT_FAILED on any mismatch.
 */
export function decryptResource(content: EncryptedContent, privateKeyPem: string): unknown {
  try {
    const key = privateDecrypt(
      { key: privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(content.dataKey, 'base64'),
    );
    const data = Buffer.from(content.data, 'base64');
    const expected = createHmac('sha256', key).update(data).digest();
    const given = Buffer.from(content.dataSignature, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new Error('dataSignature does not match the data');
    }
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    const plain = Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    return JSON.parse(plain);
  } catch (cause) {
    throw new AppError(
      'MM365_NOTIFICATION_DECRYPT_FAILED',
      `A rich notification for certificate ${content.encryptionCertificateId} could not be decrypted.`,
      { cause },
    );
  }
}
