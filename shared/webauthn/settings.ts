/** The relying party as the stage configures it. */
export interface RelyingPartySettings {
  rpId: string;
  rpName: string;
  /** Exact origins a ceremony may come from (WebAuthn §7.1 step 9). */
  origins: string[];
}

/** EdDSA first (smaller signatures, no nonce pitfalls), then ES256 and RS256 (WebAuthn §5.8.3). */
export const supportedAlgorithms = [-8, -7, -257];
