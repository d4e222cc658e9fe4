/**
 * Test PKI for the simulators: a throw-away CA and a server certificate for the loopback names.
 *
 * Contract: `createTestPki()` makes a fresh ECDSA P-256 CA (valid from a day back to ten years ahead: TLS checks
 * real time, not a sim clock, and no run should meet an expiry) and a leaf for `127.0.0.1`, `::1` and `localhost`
 * signed by it, and writes the CA PEM to a new temporary file that clients trust (NODE_EXTRA_CA_CERTS,
 * `tls.setDefaultCACertificates`, or an undici Agent's `connect.ca`). Nothing is cached: each sim instance
 * gets its own CA, so a test that trusts the wrong CA fails loudly. P-256 instead of RSA because key
 * generation is instant and every TLS client we use accepts it.
 */
import { webcrypto } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type X509 = typeof import('@peculiar/x509');
let x509Module: Promise<X509> | undefined;

/**
 * Loads @peculiar/x509, which pulls in tsyringe; tsyringe refuses to load without `Reflect.getMetadata`
 * (normally the reflect-metadata package, which is not installed). It only ever calls get/getOwn/define, and
 * only for its own decorators, so a WeakMap-backed stand-in is enough. Installed on the global `Reflect` only if
 * absent (a process that loads reflect-metadata keeps its own).
 */
function loadX509(): Promise<X509> {
  const r = Reflect as unknown as Record<string, unknown>;
  if (typeof r.getMetadata !== 'function') {
    const store = new WeakMap<object, Map<unknown, unknown>>();
    const own = (target: object, prop: unknown) => store.get(target)?.get(`${String(prop)}`);
    r.defineMetadata = (key: unknown, value: unknown, target: object, prop?: unknown) => {
      const m = store.get(target) ?? new Map<unknown, unknown>();
      store.set(target, m);
      m.set(`${String(prop)}`, { ...((m.get(`${String(prop)}`) as object) ?? {}), [String(key)]: value });
    };
    r.getOwnMetadata = (key: unknown, target: object, prop?: unknown) =>
      (own(target, prop) as Record<string, unknown> | undefined)?.[String(key)];
    r.getMetadata = (key: unknown, target: object, prop?: unknown) => {
      for (let t: object | null = target; t; t = Object.getPrototypeOf(t)) {
        const v = (own(t, prop) as Record<string, unknown> | undefined)?.[String(key)];
        if (v !== undefined) return v;
      }
      return undefined;
    };
  }
  x509Module ??= import('@peculiar/x509');
  return x509Module;
}

export interface TestPki {
  /** PEM of the CA certificate. */
  caPem: string;
  /** Path of a file holding `caPem`. */
  caPath: string;
  /** PEM of the server certificate (leaf only). */
  certPem: string;
  /** PKCS#8 PEM of the server key. */
  keyPem: string;
}

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END ${label}-----\n`;
}

function serial(): string {
  // Positive 16-byte serial (high bit clear), as RFC 5280 asks.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/** Creates a CA and a loopback server certificate; `name` only labels the subjects. */
export async function createTestPki(name: string): Promise<TestPki> {
  const x509 = await loadX509();
  // The overloads want the DOM `Crypto` type, which the node-only lib set does not declare.
  x509.cryptoProvider.set(webcrypto as never);
  const notBefore = new Date(Date.now() - DAY);
  const notAfter = new Date(Date.now() + 3650 * DAY);
  const caKeys = (await webcrypto.subtle.generateKey(alg, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name} test CA`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = (await webcrypto.subtle.generateKey(alg, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=localhost',
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  const caPem = ca.toString('pem');
  const dir = await mkdtemp(join(tmpdir(), `${name}-ca-`));
  const caPath = join(dir, 'ca.pem');
  await writeFile(caPath, caPem, { mode: 0o644 });
  const keyPem = pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
  return { caPem, caPath, certPem: leaf.toString('pem'), keyPem };
}

export interface RsaCertificate {
  /** Base64 DER of the certificate (what Graph's `encryptionCertificate` wants). */
  certificateBase64: string;
  certPem: string;
  /** PKCS#8 PEM of the private key. */
  privateKeyPem: string;
}

/**
 * A self-signed RSA-2048 certificate, for tests that subscribe to rich notifications (Graph wraps the
 * notification key with RSA-OAEP, so the encryption certificate must hold an RSA key).
 */
export async function createRsaCertificate(name: string): Promise<RsaCertificate> {
  const x509 = await loadX509();
  x509.cryptoProvider.set(webcrypto as never);
  const rsa = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = (await webcrypto.subtle.generateKey(rsa, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    keys,
    signingAlgorithm: rsa,
  });
  return {
    certificateBase64: Buffer.from(cert.rawData).toString('base64'),
    certPem: cert.toString('pem'),
    privateKeyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
  };
}
