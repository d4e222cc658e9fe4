import { constants, createDecipheriv, createHmac, privateDecrypt, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { encryptResource } from '../../../../sim/microsoft/subscriptions/encryption.ts';
import { createRsaCertificate, type RsaCertificate } from '../../../../sim/shared/tls.ts';

/** Decrypts the way Microsoft's docs tell a receiver to (graph-api.md §5.3). */
function decrypt(cert: RsaCertificate, c: ReturnType<typeof encryptResource>): unknown {
  const key = privateDecrypt(
    { key: cert.privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(c.dataKey, 'base64'),
  );
  const data = Buffer.from(c.data, 'base64');
  const mac = createHmac('sha256', key).update(data).digest('base64');
  if (mac !== c.dataSignature) throw new Error('signature mismatch');
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  return JSON.parse(Buffer.concat([d.update(data), d.final()]).toString('utf8'));
}

describe('rich notification encryption', () => {
  let cert: RsaCertificate;
  beforeAll(async () => {
    cert = await createRsaCertificate('receiver');
  });

  it('round-trips through RSA-OAEP-SHA1 + HMAC-SHA256 + AES-256-CBC', () => {
    const payload = { id: '1612289765949', body: { contentType: 'html', content: '<p>héllo 👋</p>' } };
    const c = encryptResource(cert.certificateBase64, 'cert-1', payload);
    expect(c.encryptionCertificateId).toBe('cert-1');
    expect(c.encryptionCertificateThumbprint).toBe(
      new X509Certificate(Buffer.from(cert.certificateBase64, 'base64')).fingerprint.replace(/:/g, ''),
    );
    expect(Buffer.from(c.dataKey, 'base64')).toHaveLength(256);
    expect(decrypt(cert, c)).toEqual(payload);
  });

  it('uses a fresh key per notification and a signature that detects tampering', () => {
    const a = encryptResource(cert.certificateBase64, 'x', { n: 1 });
    const b = encryptResource(cert.certificateBase64, 'x', { n: 1 });
    expect(a.data).not.toBe(b.data);
    const tampered = Buffer.from(a.data, 'base64');
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    expect(() => decrypt(cert, { ...a, data: tampered.toString('base64') })).toThrow('signature mismatch');
  });

  it('accepts a PEM certificate too and refuses a non-RSA key', async () => {
    expect(decrypt(cert, encryptResource(cert.certPem, 'p', { ok: true }))).toEqual({ ok: true });
    expect(() => encryptResource('bm90IGEgY2VydA==', 'p', {})).toThrow();
  });
});
