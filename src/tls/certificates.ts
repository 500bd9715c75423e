/**
 * X.509 material generated in-process with @peculiar/x509 over Node's
 * WebCrypto (ECDSA P-256, SHA-256): a self-signed development certificate
 * for `serve` without `--tls-cert/--tls-key`, and a CA with serving
 * certificates for tests that talk to the server as the API server does.
 */
// @peculiar/x509 resolves its services with tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

x509.cryptoProvider.set(webcrypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Certificates start a little in the past, so clock skew between hosts does not reject them. */
const BACKDATE_MS = 5 * 60 * 1000;

/** A certificate (PEM) and its private key (PKCS#8 PEM). */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

export interface IssuedCertificate extends TlsMaterial {
  /** Upper-case hex, as `tls.TLSSocket#getPeerCertificate().serialNumber` prints it. */
  readonly serialNumber: string;
  readonly notAfter: Date;
}

export interface CertificateAuthority extends IssuedCertificate {
  readonly commonName: string;
}

export interface CertificateRequest {
  /** DNS names and IP addresses the certificate is valid for (subjectAltName). */
  readonly hosts: readonly string[];
  readonly validForDays?: number;
  /** Defaults to the first host. */
  readonly commonName?: string;
}

/** A self-signed certificate authority that can issue serving certificates. */
export async function createCertificateAuthority(
  commonName: string,
  validForDays = 1,
): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const { notBefore, notAfter } = validity(validForDays);
  const serialNumber = randomSerial();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber,
    name: `CN=${commonName}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    commonName,
    cert: cert.toString('pem'),
    key: await exportKey(keys.privateKey),
    serialNumber,
    notAfter,
  };
}

/** A serving certificate (serverAuth) for `hosts`, signed by `ca`. */
export async function issueServingCertificate(
  ca: CertificateAuthority,
  request: CertificateRequest,
): Promise<IssuedCertificate> {
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await webcrypto.subtle.importKey('pkcs8', pemBody(ca.key), ALGORITHM, false, ['sign']);
  const keys = await generateKeys();
  const { notBefore, notAfter } = validity(request.validForDays ?? 1);
  const serialNumber = randomSerial();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: `CN=${request.commonName ?? firstHost(request)}`,
    issuer: caCert.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      ...(await servingExtensions(request, keys.publicKey)),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey), serialNumber, notAfter };
}

/** A self-signed serving certificate for `hosts` (development only: no CA vouches for it). */
export async function generateSelfSignedCertificate(request: CertificateRequest): Promise<IssuedCertificate> {
  const keys = await generateKeys();
  const { notBefore, notAfter } = validity(request.validForDays ?? 7);
  const serialNumber = randomSerial();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber,
    name: `CN=${request.commonName ?? firstHost(request)}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: await servingExtensions(request, keys.publicKey),
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey), serialNumber, notAfter };
}

async function servingExtensions(
  request: CertificateRequest,
  publicKey: webcrypto.CryptoKey,
): Promise<x509.Extension[]> {
  if (request.hosts.length === 0) throw new RangeError('a serving certificate needs at least one host');
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(
      request.hosts.map((host) => ({ type: isIP(host) === 0 ? 'dns' : 'ip', value: host })),
    ),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
  ];
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

function pemBody(pem: string): ArrayBuffer {
  const [first] = x509.PemConverter.decode(pem);
  if (first === undefined) throw new TypeError('no PEM block in the private key');
  return first;
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + days * DAY_MS) };
}

/**
 * 16 random bytes; the first one in 0x40-0x7f, so the serial number is positive (RFC 5280
 * 4.1.2.2) and its hex form has no leading zero (it reads the same as OpenSSL prints it).
 */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = 0x40 | ((bytes[0] ?? 0) & 0x3f);
  return bytes.toString('hex').toUpperCase();
}

function firstHost(request: CertificateRequest): string {
  const host = request.hosts[0];
  if (host === undefined) throw new RangeError('a serving certificate needs at least one host');
  return host;
}
