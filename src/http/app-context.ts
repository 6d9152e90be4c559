/**
 * What every handler of the pages (web/) and the JSON API (api/) is given: the services of the process. The
 * app (server/app.ts) assembles it and registers the routes; the routes depend on this type, not on the app.
 */
import type { Config } from '../config.ts';
import type { ImageCache } from '../images/image-cache.ts';
import type { InstanceIdentityService } from '../instance/identity.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Recommender } from '../recs/recommender.ts';
import type { SearchService } from '../search/search-service.ts';
import type { Store } from '../store/store.ts';
import type { ResponseCaches } from './response-cache.ts';

export interface AppContext {
  store: Store;
  config: Config;
  logger: Logger;
  search: SearchService;
  mailer: Mailer;
  /**
   * The "for you" recommender, one per process: every request and digest run shares it, since it caches the
   * candidate window every member's list is drawn from.
   */
  recommender: Recommender;
  /** The image cache, one per process: pages show its copies of avatars, and /images/ serves them. */
  images: ImageCache;
  /** The instance's name, logo, accent colour, … as its administrators set them (src/instance/). */
  identity: InstanceIdentityService;
  /** The rendered responses shared by signed-out visitors (bounded; keyed by parsed parameters). */
  caches: ResponseCaches;
}
