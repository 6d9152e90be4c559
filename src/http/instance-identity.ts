/**
 * The instance's identity (src/instance/) for what a request renders: a middleware reads it once per request
 * (from memory while the data version stands still), and the layout, which renders synchronously, takes it
 * from the request. Outside a request (an email, a test rendering a page) the defaults stand in.
 */
import type { MiddlewareHandler } from 'hono';
import { DEFAULT_IDENTITY, type InstanceIdentity, type InstanceIdentityService } from '../instance/identity.ts';
import { requestContext } from './viewer.ts';

declare module 'hono' {
  interface ContextVariableMap {
    identity: InstanceIdentity;
  }
}

/**
 * Addresses that render nothing with the instance's name: they get the identity last read, without a query
 * (the health check and metrics answer without touching it at all).
 */
const NAMELESS = /^\/(?:(?:api|static|images|theme)\/|healthz$|metrics$)/;

export function identityMiddleware(
  identity: Pick<InstanceIdentityService, 'current' | 'instanceIdentity'>,
): MiddlewareHandler {
  return async (c, next) => {
    c.set('identity', NAMELESS.test(c.req.path) ? identity.instanceIdentity : await identity.current());
    await next();
  };
}

export function requestIdentity(): InstanceIdentity {
  return requestContext()?.get('identity') ?? DEFAULT_IDENTITY;
}
