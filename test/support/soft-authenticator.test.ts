import { describe, it, expect, afterEach } from 'vitest';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  SettingsService,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import {
  SoftAuthenticator,
  SoftAuthenticatorError,
  base64url,
  createAttestationAuthority,
  type SigningAlgorithm,
  type SoftAuthenticatorOptions,
} from './soft-authenticator.ts';

const rpID = 'localhost';
const origin = 'http://localhost:3000';
const userID = new Uint8Array(Buffer.from('user-0001-handle', 'utf8'));
const algorithms: SigningAlgorithm[] = ['ES256', 'EdDSA', 'RS256'];
const unpaddedBase64url = /^[A-Za-z0-9_-]+$/;

function createAuthenticator(options: Partial<SoftAuthenticatorOptions> = {}): SoftAuthenticator {
  return new SoftAuthenticator({ origin, ...options });
}

function createRegistrationOptions(
  options: Partial<Parameters<typeof generateRegistrationOptions>[0]> = {},
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({ rpName: 'Latchkey', rpID, userName: 'alice@example.com', userID, ...options });
}

function verifyRegistration(
  response: RegistrationResponseJSON,
  creationOptions: PublicKeyCredentialCreationOptionsJSON,
  options: { requireUserVerification?: boolean } = {},
) {
  return verifyRegistrationResponse({
    response,
    expectedChallenge: creationOptions.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: options.requireUserVerification ?? true,
  });
}

/** Registers with the authenticator and returns the credential as the library verified it. */
async function registerCredential(authenticator: SoftAuthenticator): Promise<WebAuthnCredential> {
  const creationOptions = await createRegistrationOptions();
  const verification = await verifyRegistration(authenticator.register(creationOptions), creationOptions);
  if (!verification.verified) {
    throw new Error('Expected the registration to verify, it did not');
  }
  return verification.registrationInfo.credential;
}

async function signIn(
  authenticator: SoftAuthenticator,
  credential: WebAuthnCredential,
  assertionOverrides: Parameters<SoftAuthenticator['authenticate']>[1] = {},
  options: { requireUserVerification?: boolean } = {},
) {
  const requestOptions = await generateAuthenticationOptions({
    rpID,
    allowCredentials: [{ id: credential.id }],
  });
  const response = authenticator.authenticate(requestOptions, assertionOverrides);
  return verifyAuthenticationResponse({
    response,
    expectedChallenge: requestOptions.challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    credential,
    requireUserVerification: options.requireUserVerification ?? true,
  });
}

describe('SoftAuthenticator', () => {
  // Trust anchors are process-wide library state: leave none behind for the next test
  afterEach(() => {
    SettingsService.setRootCertificates({ identifier: 'packed', certificates: [] });
  });

  describe.each(algorithms)('with %s', (algorithm) => {
    it('registers a credential that verifyRegistrationResponse accepts', async () => {
      // Prepare
      const authenticator = createAuthenticator({ algorithm });
      const creationOptions = await createRegistrationOptions();

      // Act
      const response = authenticator.register(creationOptions);
      const verification = await verifyRegistration(response, creationOptions);

      // Assess
      expect(verification.verified).toBe(true);
      expect(verification.registrationInfo?.fmt).toBe('none');
      expect(verification.registrationInfo?.credential.id).toBe(response.id);
      expect(verification.registrationInfo?.userVerified).toBe(true);
      expect(verification.registrationInfo?.aaguid).toBe('00000000-0000-0000-0000-000000000000');
      expect(response.response.publicKeyAlgorithm).toBe({ ES256: -7, EdDSA: -8, RS256: -257 }[algorithm]);
    });

    it('signs in with that credential: verifyAuthenticationResponse accepts, counter 1', async () => {
      // Prepare
      const authenticator = createAuthenticator({ algorithm });
      const credential = await registerCredential(authenticator);

      // Act
      const verification = await signIn(authenticator, credential);

      // Assess
      expect(verification.verified).toBe(true);
      expect(verification.authenticationInfo.newCounter).toBe(1);
      expect(verification.authenticationInfo.userVerified).toBe(true);
    });

    it('makes a packed self attestation that verifies with fmt packed', async () => {
      // Prepare
      const authenticator = createAuthenticator({ algorithm });
      const creationOptions = await createRegistrationOptions({ attestationType: 'direct' });

      // Act
      const response = authenticator.register(creationOptions, { attestation: 'packed-self' });
      const verification = await verifyRegistration(response, creationOptions);

      // Assess
      expect(verification.verified).toBe(true);
      expect(verification.registrationInfo?.fmt).toBe('packed');
    });

    it('makes a packed full attestation whose x5c chains to its trust anchor', async () => {
      // Prepare
      const aaguid = '8f5c8e4a-5b2e-4d8c-9a5e-6f1b2c3d4e5f';
      const authenticator = createAuthenticator({ algorithm, aaguid });
      SettingsService.setRootCertificates({ identifier: 'packed', certificates: [authenticator.attestationTrustAnchor()] });
      const creationOptions = await createRegistrationOptions({ attestationType: 'direct' });

      // Act
      const response = authenticator.register(creationOptions, { attestation: 'packed-full' });
      const verification = await verifyRegistration(response, creationOptions);

      // Assess
      expect(verification.verified).toBe(true);
      expect(verification.registrationInfo?.fmt).toBe('packed');
      expect(verification.registrationInfo?.aaguid).toBe(aaguid);
    });
  });

  describe('certificate attestation formats', () => {
    const defaultRoots = {
      apple: SettingsService.getRootCertificates({ identifier: 'apple' }),
      'android-key': SettingsService.getRootCertificates({ identifier: 'android-key' }),
    };
    // The library trusts Apple's and Google's real roots for these formats: restore them
    afterEach(() => {
      SettingsService.setRootCertificates({ identifier: 'fido-u2f', certificates: [] });
      SettingsService.setRootCertificates({ identifier: 'apple', certificates: defaultRoots.apple });
      SettingsService.setRootCertificates({ identifier: 'android-key', certificates: defaultRoots['android-key'] });
    });

    it('makes a fido-u2f attestation with AAGUID zero whose x5c chains to its trust anchor', async () => {
      // Prepare
      const authenticator = createAuthenticator({ aaguid: '8f5c8e4a-5b2e-4d8c-9a5e-6f1b2c3d4e5f', transports: ['usb'] });
      SettingsService.setRootCertificates({ identifier: 'fido-u2f', certificates: [authenticator.attestationTrustAnchor()] });
      const creationOptions = await createRegistrationOptions({ attestationType: 'direct' });

      // Act
      const response = authenticator.register(creationOptions, { attestation: 'fido-u2f' });
      const verification = await verifyRegistration(response, creationOptions);

      // Assess
      expect(verification.verified).toBe(true);
      expect(verification.registrationInfo?.fmt).toBe('fido-u2f');
      expect(verification.registrationInfo?.aaguid).toBe('00000000-0000-0000-0000-000000000000');
      expect(authenticator.attestationKeyIdentifier()).toMatch(/^[0-9a-f]{40}$/);
    });

    it('refuses a corrupt fido-u2f signature', async () => {
      const authenticator = createAuthenticator();
      const creationOptions = await createRegistrationOptions({ attestationType: 'direct' });

      const response = authenticator.register(creationOptions, { attestation: 'fido-u2f', corruptSignature: true });

      expect((await verifyRegistration(response, creationOptions)).verified).toBe(false);
    });

    it('refuses fido-u2f with a key other than ES256', async () => {
      const authenticator = createAuthenticator({ algorithm: 'EdDSA' });
      const creationOptions = await createRegistrationOptions({ attestationType: 'direct' });

      expect(() => authenticator.register(creationOptions, { attestation: 'fido-u2f' })).toThrow(/ES256/);
    });

    it.each(['apple', 'android-key'] as const)('makes an %s attestation the library accepts when it trusts the anchor', async (format) => {
      // Prepare
      const aaguid = '8f5c8e4a-5b2e-4d8c-9a5e-6f1b2c3d4e5f';
      const authenticator = createAuthenticator({ aaguid });
      SettingsService.setRootCertificates({ identifier: format, certificates: [authenticator.attestationTrustAnchor()] });
      const creationOptions = await createRegistrationOptions({ attestationType: 'direct' });

      // Act
      const response = authenticator.register(creationOptions, { attestation: format });
      const verification = await verifyRegistration(response, creationOptions);

      // Assess
      expect(verification.verified).toBe(true);
      expect(verification.registrationInfo?.fmt).toBe(format);
      expect(verification.registrationInfo?.aaguid).toBe(aaguid);
    });

    it.each(['apple', 'android-key'] as const)('makes an %s attestation the library refuses under its real vendor roots', async (format) => {
      const authenticator = createAuthenticator();
      const creationOptions = await createRegistrationOptions({ attestationType: 'direct' });

      const response = authenticator.register(creationOptions, { attestation: format });

      await expect(verifyRegistration(response, creationOptions)).rejects.toThrow();
    });

    it('makes an apple attestation whose nonce the library refuses when corrupt', async () => {
      const authenticator = createAuthenticator();
      SettingsService.setRootCertificates({ identifier: 'apple', certificates: [authenticator.attestationTrustAnchor()] });
      const creationOptions = await createRegistrationOptions({ attestationType: 'direct' });

      const response = authenticator.register(creationOptions, { attestation: 'apple', corruptSignature: true });

      await expect(verifyRegistration(response, creationOptions)).rejects.toThrow(/nonce/);
    });

    it('chains every format of authenticators sharing an authority to the same anchor', () => {
      const authority = createAttestationAuthority('Shared Model Root');
      const first = createAuthenticator({ attestationAuthority: authority });
      const second = createAuthenticator({ attestationAuthority: authority });

      expect(first.attestationTrustAnchor()).toBe(second.attestationTrustAnchor());
      expect(first.attestationTrustAnchor()).not.toBe(createAuthenticator().attestationTrustAnchor());
    });
  });

  describe('algorithm choice', () => {
    it('takes the first of pubKeyCredParams it supports when no algorithm is forced', async () => {
      // Prepare: the library's default order is EdDSA, ES256, RS256
      const authenticator = createAuthenticator();
      const defaultOrder = await createRegistrationOptions();
      const rsaFirst = await createRegistrationOptions({ supportedAlgorithmIDs: [-36, -257, -7] });

      // Act
      const fromDefaultOrder = authenticator.register(defaultOrder);
      const fromRsaFirst = authenticator.register(rsaFirst);

      // Assess
      expect(fromDefaultOrder.response.publicKeyAlgorithm).toBe(-8);
      expect(fromRsaFirst.response.publicKeyAlgorithm).toBe(-257);
    });

    it('uses ES256 when pubKeyCredParams is empty', async () => {
      const authenticator = createAuthenticator();
      const creationOptions = { ...(await createRegistrationOptions()), pubKeyCredParams: [] };

      const response = authenticator.register(creationOptions);

      expect(response.response.publicKeyAlgorithm).toBe(-7);
    });

    it('refuses with NotSupportedError when offered only algorithms it lacks', async () => {
      const authenticator = createAuthenticator();
      const creationOptions = await createRegistrationOptions({ supportedAlgorithmIDs: [-36, -37] });

      expect(() => authenticator.register(creationOptions)).toThrow(SoftAuthenticatorError);
      expect(() => authenticator.register(creationOptions)).toThrow(/NotSupportedError/);
    });

    it('uses a forced algorithm even when the RP did not offer it, and the RP refuses it', async () => {
      // Prepare
      const authenticator = createAuthenticator({ algorithm: 'RS256' });
      const creationOptions = await createRegistrationOptions({ supportedAlgorithmIDs: [-7] });

      // Act
      const response = authenticator.register(creationOptions);

      // Assess
      expect(response.response.publicKeyAlgorithm).toBe(-257);
      await expect(
        verifyRegistrationResponse({
          response,
          expectedChallenge: creationOptions.challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          supportedAlgorithmIDs: [-7],
        }),
      ).rejects.toThrow(/Unexpected public key alg "-257"/);
    });
  });

  describe('registration the library refuses', () => {
    it('refuses a corrupt packed self attestation signature', async () => {
      const authenticator = createAuthenticator();
      const creationOptions = await createRegistrationOptions({ attestationType: 'direct' });

      const response = authenticator.register(creationOptions, { attestation: 'packed-self', corruptSignature: true });
      const verification = await verifyRegistration(response, creationOptions);

      expect(verification.verified).toBe(false);
    });

    it('refuses a corrupt packed full attestation signature', async () => {
      const authenticator = createAuthenticator();
      SettingsService.setRootCertificates({ identifier: 'packed', certificates: [authenticator.attestationTrustAnchor()] });
      const creationOptions = await createRegistrationOptions({ attestationType: 'direct' });

      const response = authenticator.register(creationOptions, { attestation: 'packed-full', corruptSignature: true });
      const verification = await verifyRegistration(response, creationOptions);

      expect(verification.verified).toBe(false);
    });

    it('refuses a packed full attestation that chains to a different trust anchor', async () => {
      const authenticator = createAuthenticator();
      const stranger = createAuthenticator();
      SettingsService.setRootCertificates({ identifier: 'packed', certificates: [stranger.attestationTrustAnchor()] });
      const creationOptions = await createRegistrationOptions({ attestationType: 'direct' });

      const response = authenticator.register(creationOptions, { attestation: 'packed-full' });

      await expect(verifyRegistration(response, creationOptions)).rejects.toThrow(/could not be chained/);
    });

    it.each([
      ['a wrong origin', { origin: 'https://evil.example' }, /Unexpected registration response origin/],
      ['a wrong RP id hash', { rpId: 'evil.example' }, /Unexpected RP ID hash/],
      ['a missing UP flag', { userPresent: false }, /User presence was required/],
      ['a missing UV flag', { userVerified: false }, /User verification was required/],
      ['a wrong type', { type: 'webauthn.get' }, /Unexpected registration response type/],
      ['a wrong challenge', { challenge: base64url.encode(new Uint8Array(32)) }, /Unexpected registration response challenge/],
    ] as const)('refuses %s', async (_name, overrides, expectedError) => {
      const authenticator = createAuthenticator();
      const creationOptions = await createRegistrationOptions();

      const response = authenticator.register(creationOptions, overrides);

      await expect(verifyRegistration(response, creationOptions, { requireUserVerification: true })).rejects.toThrow(
        expectedError,
      );
    });

    it('is accepted without UV when the RP does not require user verification', async () => {
      const authenticator = createAuthenticator();
      const creationOptions = await createRegistrationOptions();

      const response = authenticator.register(creationOptions, { userVerified: false });
      const verification = await verifyRegistration(response, creationOptions, { requireUserVerification: false });

      expect(verification.verified).toBe(true);
      expect(verification.registrationInfo?.userVerified).toBe(false);
    });
  });

  describe('authentication the library refuses', () => {
    it.each(algorithms)('refuses a corrupt %s signature', async (algorithm) => {
      const authenticator = createAuthenticator({ algorithm });
      const credential = await registerCredential(authenticator);

      const verification = await signIn(authenticator, credential, { corruptSignature: true });

      expect(verification.verified).toBe(false);
    });

    it.each([
      ['a wrong origin', { origin: 'https://evil.example' }, /Unexpected authentication response origin/],
      ['a wrong RP id hash', { rpId: 'evil.example' }, /Unexpected RP ID hash/],
      ['a missing UP flag', { userPresent: false }, /User not present/],
      ['a missing UV flag', { userVerified: false }, /User verification required/],
      ['a wrong type', { type: 'webauthn.create' }, /Unexpected authentication response type/],
      ['a wrong challenge', { challenge: base64url.encode(new Uint8Array(32)) }, /Unexpected authentication response challenge/],
    ] as const)('refuses %s', async (_name, overrides, expectedError) => {
      const authenticator = createAuthenticator();
      const credential = await registerCredential(authenticator);

      await expect(signIn(authenticator, credential, overrides, { requireUserVerification: true })).rejects.toThrow(
        expectedError,
      );
    });
  });

  describe('signature counter', () => {
    it('reports an explicit counter in authenticationInfo.newCounter', async () => {
      const authenticator = createAuthenticator();
      const credential = await registerCredential(authenticator);

      const verification = await signIn(authenticator, credential, { counter: 42 });

      expect(verification.authenticationInfo.newCounter).toBe(42);
      expect(authenticator.credentials()[0]?.counter).toBe(42);
    });

    it('makes a counter regression the library refuses', async () => {
      const authenticator = createAuthenticator();
      const credential = await registerCredential(authenticator);

      await expect(signIn(authenticator, { ...credential, counter: 5 }, { counter: 3 })).rejects.toThrow(
        /counter value 3 was lower than expected 5/,
      );
    });

    it('increments by one per assertion, and reports 0 throughout in counterMode zero', async () => {
      const counting = createAuthenticator();
      const countingCredential = await registerCredential(counting);
      const counterless = createAuthenticator({ counterMode: 'zero' });
      const counterlessCredential = await registerCredential(counterless);

      const countingCounters = [
        (await signIn(counting, countingCredential)).authenticationInfo.newCounter,
        (await signIn(counting, { ...countingCredential, counter: 1 })).authenticationInfo.newCounter,
      ];
      const counterlessResults = [await signIn(counterless, counterlessCredential), await signIn(counterless, counterlessCredential)];

      expect(countingCounters).toEqual([1, 2]);
      expect(counterlessResults.map((result) => result.verified)).toEqual([true, true]);
      expect(counterlessResults.map((result) => result.authenticationInfo.newCounter)).toEqual([0, 0]);
    });
  });

  describe('backup flags', () => {
    it('reports BE and BS from the constructor, and lets an assertion override them', async () => {
      const authenticator = createAuthenticator({ backupEligible: true, backedUp: true });
      const creationOptions = await createRegistrationOptions();

      const registration = await verifyRegistration(authenticator.register(creationOptions), creationOptions);
      if (!registration.verified) {
        throw new Error('Expected the registration to verify, it did not');
      }
      const credential = registration.registrationInfo.credential;
      const asStored = await signIn(authenticator, credential);
      const notBackedUp = await signIn(authenticator, { ...credential, counter: 1 }, { backedUp: false });

      expect(registration.registrationInfo.credentialDeviceType).toBe('multiDevice');
      expect(registration.registrationInfo.credentialBackedUp).toBe(true);
      expect(asStored.authenticationInfo.credentialBackedUp).toBe(true);
      expect(notBackedUp.verified).toBe(true);
      expect(notBackedUp.authenticationInfo.credentialBackedUp).toBe(false);
    });

    it('reports a single-device credential by default', async () => {
      const authenticator = createAuthenticator();
      const creationOptions = await createRegistrationOptions();

      const registration = await verifyRegistration(authenticator.register(creationOptions), creationOptions);

      expect(registration.registrationInfo?.credentialDeviceType).toBe('singleDevice');
      expect(registration.registrationInfo?.credentialBackedUp).toBe(false);
    });
  });

  describe('user handle', () => {
    it('returns user.id from the creation options, a replacement, or none', async () => {
      const authenticator = createAuthenticator();
      await registerCredential(authenticator);
      const requestOptions = await generateAuthenticationOptions({ rpID });

      const stored = authenticator.authenticate(requestOptions);
      const replaced = authenticator.authenticate(requestOptions, { userHandle: 'b3RoZXI' });
      const omitted = authenticator.authenticate(requestOptions, { userHandle: null });

      expect(stored.response.userHandle).toBe(base64url.encode(userID));
      expect(replaced.response.userHandle).toBe('b3RoZXI');
      expect('userHandle' in omitted.response).toBe(false);
    });
  });

  describe('credential choice', () => {
    it('uses the newest discoverable credential for the RP when allowCredentials is empty', async () => {
      const authenticator = createAuthenticator();
      const older = authenticator.register(await createRegistrationOptions());
      const newer = authenticator.register(await createRegistrationOptions());
      authenticator.register(await createRegistrationOptions({ rpID: 'other.example' }), { origin: 'https://other.example' });

      const response = authenticator.authenticate(await generateAuthenticationOptions({ rpID }));

      expect(response.id).toBe(newer.id);
      expect(response.id).not.toBe(older.id);
    });

    it('skips non-discoverable credentials when allowCredentials is empty', async () => {
      const authenticator = createAuthenticator();
      authenticator.register(
        await createRegistrationOptions({ authenticatorSelection: { residentKey: 'discouraged' } }),
      );

      const requestOptions = await generateAuthenticationOptions({ rpID });

      expect(() => authenticator.authenticate(requestOptions)).toThrow(/NotAllowedError/);
    });

    it('uses the listed credential when allowCredentials names one, and refuses when it names none it holds', async () => {
      const authenticator = createAuthenticator();
      const first = authenticator.register(await createRegistrationOptions());
      authenticator.register(await createRegistrationOptions());

      const listed = authenticator.authenticate(
        await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: first.id }] }),
      );
      const unknown = await generateAuthenticationOptions({
        rpID,
        allowCredentials: [{ id: base64url.encode(new Uint8Array(32).fill(7)) }],
      });

      expect(listed.id).toBe(first.id);
      expect(() => authenticator.authenticate(unknown)).toThrow(/NotAllowedError/);
    });

    it('signs with overrides.credentialId whatever allowCredentials says', async () => {
      const authenticator = createAuthenticator();
      const first = authenticator.register(await createRegistrationOptions());
      const second = authenticator.register(await createRegistrationOptions());

      const response = authenticator.authenticate(
        await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: first.id }] }),
        { credentialId: second.id },
      );

      expect(response.id).toBe(second.id);
    });

    it('refuses a credential listed in excludeCredentials unless told to ignore the list', async () => {
      const authenticator = createAuthenticator();
      const existing = authenticator.register(await createRegistrationOptions());
      const creationOptions = await createRegistrationOptions({ excludeCredentials: [{ id: existing.id }] });

      expect(() => authenticator.register(creationOptions)).toThrow(/InvalidStateError/);
      expect(authenticator.register(creationOptions, { ignoreExcludeCredentials: true }).id).not.toBe(existing.id);
    });

    it('reuses a given credential id, replacing the credential held under it', async () => {
      const authenticator = createAuthenticator();
      const credentialId = base64url.encode(new Uint8Array(32).fill(1));

      authenticator.register(await createRegistrationOptions(), { credentialId });
      const response = authenticator.register(await createRegistrationOptions({ userID: new Uint8Array([9, 9, 9]) }), {
        credentialId,
      });

      expect(response.id).toBe(credentialId);
      expect(authenticator.credentials()).toHaveLength(1);
      expect(authenticator.credentials()[0]?.userHandle).toBe(base64url.encode(new Uint8Array([9, 9, 9])));
    });
  });

  describe('bookkeeping', () => {
    it('lists credentials and forgets one', async () => {
      const authenticator = createAuthenticator({ algorithm: 'EdDSA' });
      const response = authenticator.register(await createRegistrationOptions());

      const listed = authenticator.credentials();
      const forgotten = authenticator.forget(response.id);

      expect(listed).toEqual([
        {
          id: response.id,
          rpId: rpID,
          userHandle: base64url.encode(userID),
          counter: 0,
          algorithm: 'EdDSA',
          discoverable: true,
        },
      ]);
      expect(forgotten).toBe(true);
      expect(authenticator.credentials()).toEqual([]);
      expect(authenticator.forget(response.id)).toBe(false);
    });
  });

  describe('response shape', () => {
    it('has the members toJSON() produces, every binary field unpadded base64url', async () => {
      const authenticator = createAuthenticator();
      const creationOptions = await createRegistrationOptions();
      const registration = authenticator.register(creationOptions);
      const assertion = authenticator.authenticate(await generateAuthenticationOptions({ rpID }));

      const registrationClientData: unknown = JSON.parse(
        Buffer.from(base64url.decode(registration.response.clientDataJSON)).toString('utf8'),
      );

      expect(registration.type).toBe('public-key');
      expect(registration.rawId).toBe(registration.id);
      expect(registration.authenticatorAttachment).toBe('platform');
      expect(registration.response.transports).toEqual(['internal']);
      expect(registration.clientExtensionResults).toEqual({ credProps: { rk: true } });
      expect(registrationClientData).toEqual({
        type: 'webauthn.create',
        challenge: creationOptions.challenge,
        origin,
        crossOrigin: false,
      });
      for (const value of [
        registration.id,
        registration.response.clientDataJSON,
        registration.response.attestationObject,
        registration.response.authenticatorData,
        registration.response.publicKey,
        assertion.id,
        assertion.response.clientDataJSON,
        assertion.response.authenticatorData,
        assertion.response.signature,
        assertion.response.userHandle,
      ]) {
        expect(value).toMatch(unpaddedBase64url);
      }
      expect(Object.keys(assertion).sort()).toEqual(
        ['authenticatorAttachment', 'clientExtensionResults', 'id', 'rawId', 'response', 'type'].sort(),
      );
    });

    it('requires a URL for the origin', () => {
      expect(() => new SoftAuthenticator({ origin: 'localhost' })).toThrow(/Expected origin to be a URL/);
    });
  });
});
