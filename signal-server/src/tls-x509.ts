/**
 * Making the local CA and the server certificates it signs, with @peculiar/x509 on Node's
 * WebCrypto. Keys are ECDSA P-256, signatures ECDSA with SHA-256. Files are PEM: certificates,
 * and private keys as PKCS#8.
 */
// @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API
// installed before the library loads.
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints, id_ce_nameConstraints } from '@peculiar/asn1-x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import type { PermittedNames } from './tls-local-names';

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

const KEY_ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGNING_ALGORITHM: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

export interface PemPair {
  cert: string;
  key: string;
}

interface Validity {
  notBefore: Date;
  notAfter: Date;
}

/** A positive 128-bit serial number, as hex. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

async function newKeyPair(): Promise<{ keys: CryptoKeyPair; pem: string }> {
  const keys = (await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keys, pem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

/** The PEM key as a WebCrypto signing key, or null when it is not an ECDSA P-256 key. */
export async function importSigningKey(pem: string): Promise<CryptoKey | null> {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return null;
    const der = key.export({ type: 'pkcs8', format: 'der' });
    return await crypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
  } catch {
    return null;
  }
}

/** The name constraints extension (critical) permitting exactly `permitted`. */
export function nameConstraintsExtension(permitted: PermittedNames): x509.Extension {
  const subtrees = [
    ...permitted.dns.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })),
    ...permitted.ips.map((iPAddress) => new GeneralSubtree({ base: new GeneralName({ iPAddress }) })),
  ];
  const value = AsnConvert.serialize(new NameConstraints({ permittedSubtrees: new GeneralSubtrees(subtrees) }));
  return new x509.Extension(id_ce_nameConstraints, true, value);
}

/**
 * The permitted names of a CA certificate's critical name constraints, or null when it has none
 * (or they are not critical, or exclude names, which this module never writes).
 */
export function readPermittedNames(certPem: string): PermittedNames | null {
  try {
    const ext = new x509.X509Certificate(certPem).getExtension(id_ce_nameConstraints);
    if (!ext || !ext.critical) return null;
    const constraints = AsnConvert.parse(ext.value, NameConstraints);
    if (constraints.excludedSubtrees?.length || !constraints.permittedSubtrees?.length) return null;
    const out: PermittedNames = { dns: [], ips: [] };
    for (const subtree of constraints.permittedSubtrees) {
      if (subtree.base.dNSName !== undefined) out.dns.push(subtree.base.dNSName);
      else if (subtree.base.iPAddress !== undefined) out.ips.push(subtree.base.iPAddress);
      else return null;
    }
    return out;
  } catch {
    return null;
  }
}

/**
 * A new CA (and its key): may sign server certificates only (extended key usage), no
 * intermediate CAs (path length 0), and only for `permitted` names.
 */
export async function makeLocalCa(commonName: string, permitted: PermittedNames, validity: Validity): Promise<PemPair> {
  const { keys, pem } = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [commonName] }, { O: ['Peerchat'] }],
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      // On a CA this limits what it can vouch for: Windows, for one, trusts an imported root for
      // every purpose (code signing included) unless the root says otherwise.
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      nameConstraintsExtension(permitted),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: pem + '\n' };
}

/**
 * A server certificate for `names`, signed by the CA. Signs whatever it is given: callers keep
 * the names inside the CA's constraints (a verifier rejects the certificate otherwise).
 */
export async function signServerCertificate(
  ca: PemPair,
  commonName: string,
  names: { dns: string[]; ips: string[] },
  validity: Validity,
): Promise<PemPair> {
  const signingKey = await importSigningKey(ca.key);
  if (!signingKey) throw new Error('The CA key is not an ECDSA P-256 key.');
  const caCert = new x509.X509Certificate(ca.cert);
  const caKeyId = caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const { keys, pem } = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [commonName] }],
    issuer: caCert.subjectName,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      ...(caKeyId ? [new x509.AuthorityKeyIdentifierExtension(caKeyId)] : []),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: pem + '\n' };
}
