import { describe, expectTypeOf, it } from 'vitest';
import type { Credential as ServiceCredential, Transport as ServiceTransport, User as ServiceUser } from '../../../shared/domain/types.ts';
import type { ErrorCode as ServiceErrorCodes } from '../../../shared/errors.ts';
import type { Credential, Transport, User } from '../../../sdk/src/types.ts';
import type { ServiceErrorCode } from '../../../sdk/src/errors.ts';

/**
 * The browser SDK ships its own copies of the API's shapes (it is a separate package with no
 * server code); these type assertions, checked by `npm test`'s type-check, keep the copies equal
 * to the service's definitions.
 */
describe('the SDK speaks the service\'s contract', () => {
  it('has the same User, Credential and Transport shapes', () => {
    expectTypeOf<User>().toEqualTypeOf<ServiceUser>();
    expectTypeOf<Credential>().toEqualTypeOf<ServiceCredential>();
    expectTypeOf<Transport>().toEqualTypeOf<ServiceTransport>();
  });

  it('knows every problem+json code the service sends', () => {
    expectTypeOf<ServiceErrorCode>().toEqualTypeOf<ServiceErrorCodes>();
  });
});
