import type { MiddlewareHandler } from 'hono';
import { credentialFrom, type Authenticator } from '../auth/authenticator.ts';
import type { ApiEnv } from './env.ts';

/**
 * Resolves the caller of every protected route into `c.var.actor` (401 `unauthorized` when the
 * key is missing or wrong, outside local mode). Role checks happen in the services.
 */
export function authMiddleware(authenticator: Authenticator): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const credential = credentialFrom({
      authorization: c.req.header('authorization'),
      apiKey: c.req.header('x-api-key'),
    });
    const { actor, keyId } = await authenticator.authenticate(credential);
    c.set('actor', actor);
    c.set('keyId', keyId);
    await next();
  };
}
