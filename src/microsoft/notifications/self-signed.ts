import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';

/**
 * A self-signed RSA-2048 X.509 certificate, DER-encoded by hand (a few fixed ASN.1 shapes) so the product
 * needs no X.509 library: Graph only reads the public key from it to wrap each notification's AES key.
 */
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const len =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const seq = (...parts: Buffer[]) => der(0x30, ...parts);
const sha256WithRsa = seq(Buffer.from('06092a864886f70d01010b', 'hex'), Buffer.from('0500', 'hex'));
const name = (cn: string) =>
  seq(der(0x31, seq(Buffer.from('0603550403', 'hex'), der(0x0c, Buffer.from(cn, 'utf8')))));

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050
    ? der(0x17, Buffer.from(`${iso.slice(2)}Z`, 'ascii'))
    : der(0x18, Buffer.from(`${iso}Z`, 'ascii'));
}

export interface GeneratedCertificate {
  /** Base64 DER, as Graph's `encryptionCertificate` wants it. */
  certificateDer: string;
  privateKeyPem: string;
  notAfter: Date;
}

export function generateSelfSignedCertificate(
  commonName: string,
  notBefore: Date,
  notAfter: Date,
): GeneratedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 1) & 0x7f) | 0x01;
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const tbs = seq(
    Buffer.from('a003020102', 'hex'), // version 3
    der(0x02, serial),
    sha256WithRsa,
    name(commonName),
    seq(time(notBefore), time(notAfter)),
    name(commonName),
    spki,
  );
  const signature = sign('sha256', tbs, privateKey);
  const cert = seq(tbs, sha256WithRsa, der(0x03, Buffer.from([0]), signature));
  new X509Certificate(cert); // refuses to return a certificate Node itself cannot read
  return {
    certificateDer: cert.toString('base64'),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    notAfter,
  };
}
