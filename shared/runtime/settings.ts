import { environmentVariables as names } from './variables.ts';
import { optionalInteger, optionalJson, optionalString, requiredString, stringList, ConfigurationError } from './environment.ts';
import { resolvePolicyDefaults, type PolicyOverrides } from '../domain/policy.ts';
import type { RelyingPartySettings } from '../webauthn/settings.ts';
import type { TokenSettings } from '../tokens/access-token.ts';

/** Read once at cold start: a function with a bad environment fails before serving a request. */
export const stage = requiredString(names.stage);

export const allowedOrigins = stringList(names.allowedOrigins);
if (allowedOrigins.length === 0) throw new ConfigurationError(`${names.allowedOrigins} must list at least one origin`);

export const relyingParty: RelyingPartySettings = {
  rpId: requiredString(names.rpId),
  rpName: optionalString(names.rpName, 'Latchkey'),
  origins: allowedOrigins,
};

export const tokenSettings: TokenSettings = {
  issuer: requiredString(names.tokenIssuer),
  audience: optionalString(names.tokenAudience, 'latchkey'),
};

export const policyDefaults = (() => {
  try {
    return resolvePolicyDefaults((optionalJson(names.policyDefaults) ?? {}) as PolicyOverrides);
  } catch (cause) {
    throw new ConfigurationError(`${names.policyDefaults} is not a valid partial policy`, { cause });
  }
})();

export const policyCacheSeconds = optionalInteger(names.policyCacheSeconds, 10);
