import { createHash, randomBytes } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialParameters,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { parseAaguid, zeroAaguid } from './aaguid.ts';
import {
  createAttestationAuthority,
  createAttestationCertificates,
  createU2fAttestationCertificate,
  encodePem,
  type AttestationAuthority,
  type AttestationCertificates,
} from './attestation-certificates.ts';
import { encodeAttestationObject, type AttestationFormat } from './attestation-object.ts';
import { encodeAuthenticatorData } from './authenticator-data.ts';
import { base64url } from './base64url.ts';
import { encodeClientData } from './client-data.ts';
import { encodeCosePublicKey } from './cose-public-key.ts';
import {
  coseAlgorithmIdentifiers,
  findAlgorithmByCoseIdentifier,
  generateSigningKeyPair,
  signWithKeyPair,
  type SigningAlgorithm,
  type SigningKeyPair,
} from './signing-key.ts';
import { SoftAuthenticatorError } from './soft-authenticator-error.ts';

export { base64url } from './base64url.ts';
export { encodeCbor, type CborValue } from './cbor.ts';
export { SoftAuthenticatorError, type SoftAuthenticatorErrorCode } from './soft-authenticator-error.ts';
export type { AttestationFormat } from './attestation-object.ts';
export { createAttestationAuthority, type AttestationAuthority } from './attestation-certificates.ts';
export type { SigningAlgorithm } from './signing-key.ts';

/**
 * A software WebAuthn authenticator plus the browser half of the ceremony, for tests. It keeps
 * credentials in memory and answers creation and request options (as `generateRegistrationOptions`
 * / `generateAuthenticationOptions` return them) with the JSON `PublicKeyCredential.toJSON()` and
 * `@simplewebauthn/browser` produce, every binary field base64url without padding. Overrides
 * produce the broken or unusual responses a browser never would.
 *
 * Section numbers cite WebAuthn Level 3 (https://www.w3.org/TR/webauthn-3/).
 *
 * Refusals a browser would make (nothing to sign with, an excluded credential, no supported
 * algorithm) throw `SoftAuthenticatorError`.
 */

export interface SoftAuthenticatorOptions {
  /**
   * The origin the client reports in clientDataJSON, e.g. `http://localhost:3000`. Required:
   * it is the one fact about the "browser" every ceremony needs. Override per call with `origin`.
   * When the options carry no RP id, its host is the RP id (WebAuthn §5.1.3, §5.1.4.1).
   */
  origin: string;
  /** UUID; default all zeros, as most passkey providers and `none` attestation report */
  aaguid?: string;
  /**
   * Force one algorithm, whatever pubKeyCredParams asks for (so tests can check an RP refuses
   * algorithms it did not offer). Unset: the first of pubKeyCredParams that is ES256, EdDSA or RS256
   * (WebAuthn §6.3.2), or ES256 if pubKeyCredParams is empty (§5.1.3).
   */
  algorithm?: SigningAlgorithm;
  /** BE flag (WebAuthn §6.1.3) of new credentials; default false */
  backupEligible?: boolean;
  /** BS flag (WebAuthn §6.1.3) of new credentials; default false */
  backedUp?: boolean;
  /** Reported in `response.transports`; default `['internal']`, which also makes the attachment `platform` */
  transports?: string[];
  /** `increment` (default) adds one per assertion; `zero` always reports 0, as authenticators without counters do (§6.1.1) */
  counterMode?: 'increment' | 'zero';
  /**
   * The CA every attestation certificate of this authenticator chains to. Authenticators that
   * share one are one model (what a FIDO metadata statement lists); default: a new CA of its own.
   */
  attestationAuthority?: AttestationAuthority;
}

export interface RegistrationOverrides {
  origin?: string;
  /** clientDataJSON.type; default `webauthn.create` */
  type?: string;
  /** clientDataJSON.challenge, put in verbatim */
  challenge?: string;
  /** Hash this RP id into authenticatorData instead of the real one; the credential is still stored for the real one */
  rpId?: string;
  /** default true */
  userPresent?: boolean;
  /** default true */
  userVerified?: boolean;
  /**
   * default `none`. Certificate formats (`packed-full`, `fido-u2f`, `apple`, `android-key`) chain to
   * `attestationTrustAnchor()`. `fido-u2f` always reports AAGUID zero (WebAuthn §8.6); `fido-u2f`,
   * `apple` and `android-key` need an ES256 credential.
   */
  attestation?: AttestationFormat;
  /** base64url; use this credential id instead of 32 random bytes. A stored credential with the same id is replaced. */
  credentialId?: string;
  /** A well-formed attestation signature over the wrong bytes (for `apple`, the nonce of the wrong bytes); needs an attestation other than `none` */
  corruptSignature?: boolean;
  /** Create the credential even if excludeCredentials lists one this authenticator holds (§6.3.2) */
  ignoreExcludeCredentials?: boolean;
}

export interface AssertionOverrides {
  origin?: string;
  /** clientDataJSON.type; default `webauthn.get` */
  type?: string;
  /** clientDataJSON.challenge, put in verbatim */
  challenge?: string;
  /** Hash this RP id into authenticatorData; credential selection still uses the request's RP id */
  rpId?: string;
  /** default true */
  userPresent?: boolean;
  /** default true */
  userVerified?: boolean;
  /** Report (and store) this signature counter instead of the next one: a regression, or 0 */
  counter?: number;
  /** default: the credential's BE flag */
  backupEligible?: boolean;
  /** default: the credential's BS flag */
  backedUp?: boolean;
  /** A well-formed signature over the wrong bytes */
  corruptSignature?: boolean;
  /** base64url to report instead of the stored user handle; null omits `userHandle` */
  userHandle?: string | null;
  /** base64url; sign with this stored credential whatever allowCredentials says */
  credentialId?: string;
}

export interface SoftCredentialSummary {
  /** base64url */
  id: string;
  rpId: string;
  /** base64url of `user.id` from the creation options */
  userHandle: string;
  counter: number;
  algorithm: SigningAlgorithm;
  discoverable: boolean;
}

interface StoredCredential {
  id: Uint8Array;
  rpId: string;
  userHandle: Uint8Array;
  keyPair: SigningKeyPair;
  counter: number;
  backupEligible: boolean;
  backedUp: boolean;
  discoverable: boolean;
}

export class SoftAuthenticator {
  private readonly origin: string;
  private readonly aaguid: Uint8Array;
  private readonly forcedAlgorithm: SigningAlgorithm | undefined;
  private readonly backupEligible: boolean;
  private readonly backedUp: boolean;
  private readonly transports: string[];
  private readonly counterMode: 'increment' | 'zero';
  /** Keyed by base64url id; insertion order is creation order */
  private readonly storedCredentials = new Map<string, StoredCredential>();
  private readonly authority: AttestationAuthority | undefined;
  private attestationCertificates: AttestationCertificates | undefined;
  private u2fAttestation: { keyPair: SigningKeyPair; certificate: Uint8Array } | undefined;

  constructor(options: SoftAuthenticatorOptions) {
    // Ensure the origin is a URL, so an RP id can be derived from it
    if (!URL.canParse(options.origin)) {
      throw new Error(`Expected origin to be a URL such as "http://localhost:3000", received "${options.origin}"`);
    }
    this.origin = options.origin;
    this.aaguid = parseAaguid(options.aaguid ?? zeroAaguid);
    this.forcedAlgorithm = options.algorithm;
    this.backupEligible = options.backupEligible ?? false;
    this.backedUp = options.backedUp ?? false;
    this.transports = options.transports ?? ['internal'];
    this.counterMode = options.counterMode ?? 'increment';
    this.authority = options.attestationAuthority;
  }

  /** navigator.credentials.create() followed by toJSON() (WebAuthn §5.1.3, §6.3.2) */
  register(
    creationOptions: PublicKeyCredentialCreationOptionsJSON,
    overrides: RegistrationOverrides = {},
  ): RegistrationResponseJSON {
    const origin = overrides.origin ?? this.origin;
    const rpId = creationOptions.rp.id ?? new URL(origin).hostname;
    const attestation = overrides.attestation ?? 'none';

    // Ensure a corrupt signature has a signature to corrupt
    if (overrides.corruptSignature && attestation === 'none') {
      throw new Error('Expected an attestation other than "none" with corruptSignature, received "none"');
    }
    // WebAuthn §6.3.2: refuse to create a second credential for an account that already has one here
    if (!overrides.ignoreExcludeCredentials) {
      for (const excluded of creationOptions.excludeCredentials ?? []) {
        const held = this.storedCredentials.get(normalizeBase64url(excluded.id));
        if (held?.rpId === rpId) {
          throw new SoftAuthenticatorError('InvalidStateError', `credential ${excluded.id} is in excludeCredentials`);
        }
      }
    }

    // These formats carry only P-256 keys, so such an authenticator offers nothing else (§6.3.2)
    const es256Only = attestation === 'fido-u2f' || attestation === 'apple' || attestation === 'android-key';
    const parameters = es256Only && !this.forcedAlgorithm
      ? creationOptions.pubKeyCredParams.filter((parameter) => parameter.alg === coseAlgorithmIdentifiers.ES256)
      : creationOptions.pubKeyCredParams;
    if (es256Only && !this.forcedAlgorithm && parameters.length === 0 && creationOptions.pubKeyCredParams.length > 0) {
      throw new SoftAuthenticatorError('NotSupportedError', `expected pubKeyCredParams to include ES256 (-7) for ${attestation} attestation`);
    }
    const keyPair = generateSigningKeyPair(this.chooseAlgorithm(parameters));
    const credentialId = overrides.credentialId ? base64url.decode(overrides.credentialId) : randomBytes(32);
    const discoverable = isDiscoverableRequested(creationOptions);
    const credentialPublicKey = encodeCosePublicKey(keyPair.algorithm, keyPair.publicKey);

    const clientDataJSON = encodeClientData({
      type: overrides.type ?? 'webauthn.create',
      challenge: overrides.challenge ?? normalizeBase64url(creationOptions.challenge),
      origin,
    });
    const authenticatorData = encodeAuthenticatorData({
      rpId: overrides.rpId ?? rpId,
      userPresent: overrides.userPresent ?? true,
      userVerified: overrides.userVerified ?? true,
      backupEligible: this.backupEligible,
      backedUp: this.backedUp,
      signCount: 0,
      // WebAuthn §8.6: a U2F authenticator has no AAGUID
      attestedCredentialData: { aaguid: attestation === 'fido-u2f' ? parseAaguid(zeroAaguid) : this.aaguid, credentialId, credentialPublicKey },
    });
    const attestationObject = encodeAttestationObject({
      format: attestation,
      authenticatorData,
      clientDataHash: sha256(clientDataJSON),
      credentialKeyPair: keyPair,
      credentialId,
      attestationKey: attestation === 'packed-full' ? this.attestationKey() : attestation === 'fido-u2f' ? this.ensureU2fAttestation() : undefined,
      attestationAuthority: attestation === 'apple' || attestation === 'android-key' ? this.ensureAuthority() : undefined,
      corruptSignature: overrides.corruptSignature ?? false,
    });

    const id = base64url.encode(credentialId);
    // Re-inserting moves a replaced credential to the end: it is now the newest
    this.storedCredentials.delete(id);
    this.storedCredentials.set(id, {
      id: credentialId,
      rpId,
      userHandle: base64url.decode(creationOptions.user.id),
      keyPair,
      counter: 0,
      backupEligible: this.backupEligible,
      backedUp: this.backedUp,
      discoverable,
    });

    return {
      id,
      rawId: id,
      response: {
        clientDataJSON: base64url.encode(clientDataJSON),
        attestationObject: base64url.encode(attestationObject),
        // WebAuthn §5.2.1.1 getAuthenticatorData(), getPublicKey() (SPKI DER), getPublicKeyAlgorithm(), getTransports()
        authenticatorData: base64url.encode(authenticatorData),
        transports: [...this.transports],
        publicKeyAlgorithm: coseAlgorithmIdentifiers[keyPair.algorithm],
        publicKey: base64url.encode(keyPair.publicKey.export({ type: 'spki', format: 'der' })),
      },
      authenticatorAttachment: this.attachment(),
      // WebAuthn §10.1.3: credProps reports whether the credential is discoverable
      clientExtensionResults: creationOptions.extensions?.credProps ? { credProps: { rk: discoverable } } : {},
      type: 'public-key',
    };
  }

  /** navigator.credentials.get() followed by toJSON() (WebAuthn §5.1.4, §6.3.3) */
  authenticate(
    requestOptions: PublicKeyCredentialRequestOptionsJSON,
    overrides: AssertionOverrides = {},
  ): AuthenticationResponseJSON {
    const origin = overrides.origin ?? this.origin;
    const rpId = requestOptions.rpId ?? new URL(origin).hostname;
    const credential = this.chooseCredential(requestOptions, rpId, overrides.credentialId);

    credential.counter = overrides.counter ?? (this.counterMode === 'zero' ? 0 : credential.counter + 1);

    const clientDataJSON = encodeClientData({
      type: overrides.type ?? 'webauthn.get',
      challenge: overrides.challenge ?? normalizeBase64url(requestOptions.challenge),
      origin,
    });
    const authenticatorData = encodeAuthenticatorData({
      rpId: overrides.rpId ?? rpId,
      userPresent: overrides.userPresent ?? true,
      userVerified: overrides.userVerified ?? true,
      backupEligible: overrides.backupEligible ?? credential.backupEligible,
      backedUp: overrides.backedUp ?? credential.backedUp,
      signCount: credential.counter,
    });
    // WebAuthn §6.3.3: sign authenticatorData || hash of the serialized client data
    const signature = signWithKeyPair(
      credential.keyPair,
      new Uint8Array(Buffer.concat([authenticatorData, sha256(clientDataJSON)])),
      { corrupt: overrides.corruptSignature ?? false },
    );
    const userHandle = overrides.userHandle === undefined ? base64url.encode(credential.userHandle) : overrides.userHandle;

    const id = base64url.encode(credential.id);
    return {
      id,
      rawId: id,
      response: {
        clientDataJSON: base64url.encode(clientDataJSON),
        authenticatorData: base64url.encode(authenticatorData),
        signature: base64url.encode(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
      authenticatorAttachment: this.attachment(),
      clientExtensionResults: {},
      type: 'public-key',
    };
  }

  credentials(): SoftCredentialSummary[] {
    return [...this.storedCredentials.values()].map((credential) => ({
      id: base64url.encode(credential.id),
      rpId: credential.rpId,
      userHandle: base64url.encode(credential.userHandle),
      counter: credential.counter,
      algorithm: credential.keyPair.algorithm,
      discoverable: credential.discoverable,
    }));
  }

  /** Delete a credential, as a user removing a passkey would. Returns whether it was held. */
  forget(credentialId: string): boolean {
    return this.storedCredentials.delete(normalizeBase64url(credentialId));
  }

  /**
   * PEM of the root certificate every attestation of this authenticator chains to: pass it to
   * `SettingsService.setRootCertificates({ identifier: 'packed', certificates: [pem] })`, or list
   * it in a metadata statement's `attestationRootCertificates`.
   */
  attestationTrustAnchor(): string {
    return encodePem(this.ensureAuthority().rootCertificate);
  }

  /**
   * The U2F attestation certificate's key identifier as FIDO metadata lists it in
   * `attestationCertificateKeyIdentifiers`: lower-case hex of SHA-1 over the subjectPublicKey bits
   * (RFC 5280 §4.2.1.2 method 1).
   */
  attestationKeyIdentifier(): string {
    const publicKey = this.ensureU2fAttestation().keyPair.publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Uint8Array.of(0x04), Buffer.from(publicKey.x ?? '', 'base64url'), Buffer.from(publicKey.y ?? '', 'base64url')]);
    return createHash('sha1').update(point).digest('hex');
  }

  private attestationKey(): { keyPair: SigningKeyPair; certificate: Uint8Array } {
    const certificates = this.ensureAttestationCertificates();
    return { keyPair: certificates.attestationKeyPair, certificate: certificates.attestationCertificate };
  }

  // Made on first use: most tests never need them, and each instance gets its own chain
  private ensureAttestationCertificates(): AttestationCertificates {
    this.attestationCertificates ??= createAttestationCertificates(this.aaguid, this.ensureAuthority());
    return this.attestationCertificates;
  }

  private ensureU2fAttestation(): { keyPair: SigningKeyPair; certificate: Uint8Array } {
    this.u2fAttestation ??= createU2fAttestationCertificate(this.ensureAuthority());
    return this.u2fAttestation;
  }

  private ensureAuthority(): AttestationAuthority {
    return this.authority ?? (this.ownAuthority ??= createAttestationAuthority());
  }

  private ownAuthority: AttestationAuthority | undefined;

  private chooseAlgorithm(parameters: PublicKeyCredentialParameters[]): SigningAlgorithm {
    if (this.forcedAlgorithm) {
      return this.forcedAlgorithm;
    }
    // WebAuthn §5.1.3: an empty list means ES256, then RS256
    if (parameters.length === 0) {
      return 'ES256';
    }
    // WebAuthn §6.3.2: the first combination this authenticator supports
    for (const parameter of parameters) {
      const algorithm = parameter.type === 'public-key' ? findAlgorithmByCoseIdentifier(parameter.alg) : undefined;
      if (algorithm) {
        return algorithm;
      }
    }
    const offered = parameters.map((parameter) => parameter.alg).join(', ');
    throw new SoftAuthenticatorError(
      'NotSupportedError',
      `expected pubKeyCredParams to include ES256 (-7), EdDSA (-8) or RS256 (-257), received ${offered}`,
    );
  }

  private chooseCredential(
    requestOptions: PublicKeyCredentialRequestOptionsJSON,
    rpId: string,
    credentialId: string | undefined,
  ): StoredCredential {
    if (credentialId !== undefined) {
      const chosen = this.storedCredentials.get(normalizeBase64url(credentialId));
      // Ensure the explicitly chosen credential exists
      if (!chosen) {
        throw new SoftAuthenticatorError('NotAllowedError', `no credential ${credentialId} is held`);
      }
      return chosen;
    }

    const allowCredentials = requestOptions.allowCredentials ?? [];
    // WebAuthn §6.3.3: a non-empty allow list restricts the choice to its members
    if (allowCredentials.length > 0) {
      for (const allowed of allowCredentials) {
        const held = this.storedCredentials.get(normalizeBase64url(allowed.id));
        if (held?.rpId === rpId) {
          return held;
        }
      }
      throw new SoftAuthenticatorError(
        'NotAllowedError',
        `none of allowCredentials (${allowCredentials.map((allowed) => allowed.id).join(', ')}) is held for RP "${rpId}"`,
      );
    }

    // WebAuthn §6.3.3: an empty allow list means any discoverable credential for the RP;
    // where a user would pick from several, take the newest
    const discoverable = [...this.storedCredentials.values()].filter(
      (credential) => credential.discoverable && credential.rpId === rpId,
    );
    const newest = discoverable.at(-1);
    if (!newest) {
      throw new SoftAuthenticatorError('NotAllowedError', `no discoverable credential is held for RP "${rpId}"`);
    }
    return newest;
  }

  // WebAuthn §5.4.5, §5.8.4: transport `internal` means a platform authenticator
  private attachment(): 'platform' | 'cross-platform' {
    return this.transports.includes('internal') ? 'platform' : 'cross-platform';
  }
}

// WebAuthn §5.4.6: residentKey wins; absent, requireResidentKey decides (false means discouraged)
function isDiscoverableRequested(creationOptions: PublicKeyCredentialCreationOptionsJSON): boolean {
  const selection = creationOptions.authenticatorSelection;
  if (selection?.residentKey !== undefined) {
    // A passkey provider makes a discoverable credential when asked to prefer one
    return selection.residentKey !== 'discouraged';
  }
  return selection?.requireResidentKey ?? false;
}

// The browser decodes base64url from the options to bytes and re-encodes them in its output
function normalizeBase64url(text: string): string {
  return base64url.encode(base64url.decode(text));
}

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}
