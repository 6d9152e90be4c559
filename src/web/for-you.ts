/**
 * The web layer's side of "for you" (src/recs/member-feed.ts holds the logic, for the page and the digests):
 * one recommender per store, shared by every request (it caches the candidate window every member's list is
 * drawn from), asking the app's search service for the model id; saved searches run through that service too.
 */
import { Recommender } from '../recs/recommender.ts';
import { forYouProvider } from '../recs/member-feed.ts';
import type { SearchService } from '../search/search-service.ts';
import type { Store } from '../store/store.ts';
import type { ForYouProvider } from '../digest/compose.ts';

const recommenders = new WeakMap<Store, Recommender>();

export function recommenderFor(store: Store, search: SearchService): Recommender {
  let recommender = recommenders.get(store);
  if (!recommender) {
    recommender = new Recommender(store, () => search.embedder?.id ?? null);
    recommenders.set(store, recommender);
  }
  return recommender;
}

/** The digest's "for you" section where the app's search service is at hand: the dev outbox's send button,
 *  and the digest jobs of `serve` (src/server/background.ts). */
export function forYouDigestProvider(store: Store, search: SearchService): ForYouProvider {
  return forYouProvider(store, { recommender: recommenderFor(store, search), search });
}
