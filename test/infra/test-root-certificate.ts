import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, X509CertificateGenerator } from '@peculiar/x509';

const rsa = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const oneDay = 24 * 3600 * 1000;

/**
 * A self-signed root CA of the same kind and size as GlobalSign Root CA - R3 (RSA 2048,
 * SHA-256), generated for the test: what an operator puts in `fidoMetadataRootCertificate`.
 */
export const createTestRootPem = async (options: { ca?: boolean; notAfter?: Date } = {}): Promise<string> => {
  const keys = (await webcrypto.subtle.generateKey(rsa, true, ['sign', 'verify'])) as CryptoKeyPair;
  const certificate = await X509CertificateGenerator.createSelfSigned({
    name: 'CN=Latchkey Test Root CA - R3, OU=Latchkey Test Root CA - R3, O=Latchkey Test',
    keys,
    signingAlgorithm: rsa,
    notBefore: new Date(Date.now() - oneDay),
    notAfter: options.notAfter ?? new Date(Date.now() + 3650 * oneDay),
    extensions: [
      new BasicConstraintsExtension(options.ca ?? true, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
    ],
  });
  return certificate.toString('pem');
};
