import { X509Certificate } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { createAttestationCertificates, encodePem } from './attestation-certificates.ts';
import { parseAaguid } from './aaguid.ts';

// Node's own X.509 parser is an independent check of the hand-written DER
describe('createAttestationCertificates', () => {
  const aaguid = parseAaguid('8f5c8e4a-5b2e-4d8c-9a5e-6f1b2c3d4e5f');
  const certificates = createAttestationCertificates(aaguid);
  const root = new X509Certificate(Buffer.from(certificates.rootCertificate));
  const attestation = new X509Certificate(Buffer.from(certificates.attestationCertificate));

  it('makes a self-signed CA root', () => {
    expect(root.ca).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(root.subject).toBe(root.issuer);
  });

  it('makes an attestation certificate the root issued and signed', () => {
    expect(attestation.checkIssued(root)).toBe(true);
    expect(attestation.verify(root.publicKey)).toBe(true);
    expect(attestation.ca).toBe(false);
  });

  it('meets the packed attestation certificate requirements (WebAuthn §8.2.1)', () => {
    expect(attestation.subject.split('\n')).toEqual([
      'C=US',
      'O=Latchkey Test',
      'OU=Authenticator Attestation',
      'CN=Latchkey Soft Authenticator',
    ]);
    expect(Buffer.from(certificates.attestationCertificate).includes(Buffer.from(aaguid))).toBe(true);
  });

  it('is valid now', () => {
    const now = Date.now();

    expect(Date.parse(attestation.validFrom)).toBeLessThan(now);
    expect(Date.parse(attestation.validTo)).toBeGreaterThan(now);
  });

  it('puts the attestation public key in the certificate', () => {
    expect(
      attestation.publicKey.export({ type: 'spki', format: 'der' }).equals(
        certificates.attestationKeyPair.publicKey.export({ type: 'spki', format: 'der' }),
      ),
    ).toBe(true);
  });

  it('writes PEM that parses back to the same certificate', () => {
    expect(new X509Certificate(encodePem(certificates.rootCertificate)).raw.equals(root.raw)).toBe(true);
  });
});
