/**
 * The instance's copies of remote images, for what a request renders: the app (server/app.ts) hands every
 * request the image cache, and the avatar component asks it for a local path. Pages never point at another
 * site's image; outside a request (an email) there is no cache to ask, and initials stand in.
 */
import type { ImageCache } from '../images/image-cache.ts';
import { requestContext } from './viewer.ts';

declare module 'hono' {
  interface ContextVariableMap {
    images: Pick<ImageCache, 'pathFor'>;
  }
}

/** The local path of the image of `source` (a remote URL), when the instance keeps a copy; null otherwise. */
export function localImagePath(source: string | null | undefined): string | null {
  if (!source) return null;
  return requestContext()?.get('images')?.pathFor(source) ?? null;
}
