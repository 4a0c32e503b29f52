/**
 * Every environment variable a Latchkey function reads. The CDK function construct and the
 * local stage both set them from here, so the names exist once.
 */
export const environmentVariables = {
  stage: 'STAGE',
  tableName: 'TABLE_NAME',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  rpId: 'RP_ID',
  rpName: 'RP_NAME',
  allowedOrigins: 'ALLOWED_ORIGINS',
  tokenIssuer: 'TOKEN_ISSUER',
  tokenAudience: 'TOKEN_AUDIENCE',
  /** `kms` in AWS, `local` on one machine. */
  keySource: 'KEY_SOURCE',
  /** KMS asymmetric ECC_NIST_P256 SIGN_VERIFY key (id, ARN or alias) that signs access tokens. */
  signingKeyId: 'SIGNING_KEY_ID',
  /** Comma list of older KMS signing keys still published in the JWKS during a rotation overlap. */
  verificationKeyIds: 'VERIFICATION_KEY_IDS',
  /** KMS HMAC_256 key that keys enrollment-code hashes and the unknown-username decoys. */
  hmacKeyId: 'HMAC_KEY_ID',
  /** Local stage: folder holding the generated signing key and HMAC secret. */
  localKeyDirectory: 'LOCAL_KEY_DIRECTORY',
  /** JSON partial Policy: the stage's defaults over the base policy. */
  policyDefaults: 'POLICY_DEFAULTS',
  policyCacheSeconds: 'POLICY_CACHE_SECONDS',
  eventBusName: 'EVENT_BUS_NAME',
  localEventsFile: 'LOCAL_EVENTS_FILE',
  /** FIDO MDS (docs/metadata.md). PEM of the BLOB's trusted root(s), GlobalSign Root CA - R3; set: the refresh downloads MDS_BLOB_URL. */
  mdsRootCertificate: 'MDS_ROOT_CERTIFICATE',
  /** Default https://mds3.fidoalliance.org/ */
  mdsBlobUrl: 'MDS_BLOB_URL',
  /** `require` (default): a CRL the BLOB's chain names must be fetched and current; `warn`: log the gap and go on (local stage). */
  mdsCrlPolicy: 'MDS_CRL_POLICY',
  /** Seconds a container trusts a read metadata entry (default 300; 0 locally). */
  mdsCacheSeconds: 'MDS_CACHE_SECONDS',
  /** Local stage: the BLOB file and the root PEM file it is trusted through; both unset: no MDS. */
  localMdsBlob: 'LOCAL_MDS_BLOB',
  localMdsRoot: 'LOCAL_MDS_ROOT',
} as const;
