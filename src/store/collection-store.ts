/**
 * The collections facet of the store: members' reading lists (collections of papers in an order they choose),
 * the papers a member dismissed from their "for you" list, and what they follow (organizations, authors,
 * saved searches).
 *
 * Written for any backend: plain values in and out, each change one atomic statement or transaction,
 * timestamps passed in by the caller. Every change names the owner: a member can only change their own
 * collections (a call for someone else's collection changes nothing and answers null / false). Visibility
 * (public or private) is stored here and enforced by the callers that show collections to others.
 */

export const COLLECTION_NAME_MAX = 100;
export const COLLECTION_DESCRIPTION_MAX = 1_000;
/** Collections per member, and papers per collection. */
export const COLLECTIONS_PER_MEMBER_MAX = 200;
export const COLLECTION_ITEMS_MAX = 2_000;
export const FOLLOWS_PER_MEMBER_MAX = 500;

export interface Collection {
  id: number;
  ownerId: number;
  /** The owner's handle, for pages and feeds. */
  ownerName: string;
  name: string;
  description: string;
  isPublic: boolean;
  createdAt: string;
  updatedAt: string;
  /** Papers in it (hidden papers not counted). */
  papers: number;
}

export interface CollectionInput {
  name: string;
  description: string;
  isPublic: boolean;
}

export interface CollectionItem {
  paperId: string;
  /** 0, 1, 2… in the owner's order (gaps are possible after removals; only the order matters). */
  position: number;
  addedAt: string;
}

export type AddItemResult = 'added' | 'exists' | 'full';

export type FollowKind = 'organization' | 'author' | 'search';

export interface Follow {
  kind: FollowKind;
  /** Organization handle, author name, or a search's query string (q=…&filters, see feeds/links.ts). */
  target: string;
  /** What the member sees: the organization's full name, the author, the search's words. */
  label: string;
  createdAt: string;
}

export interface CollectionStore {
  /** Null when the member has COLLECTIONS_PER_MEMBER_MAX collections already. */
  createCollection(ownerId: number, input: CollectionInput, now: Date): Promise<Collection | null>;
  /** Null when there is no such collection of this owner. */
  updateCollection(id: number, ownerId: number, input: CollectionInput, now: Date): Promise<Collection | null>;
  /** Deletes the collection and its items; false when there is no such collection of this owner. */
  deleteCollection(id: number, ownerId: number): Promise<boolean>;
  /** Any collection by id, public or private (callers check who may see it). */
  getCollection(id: number): Promise<Collection | null>;
  /** A member's collections, most recently changed first. */
  collectionsOf(ownerId: number): Promise<Collection[]>;
  /** The papers of a collection in the owner's order (hidden papers left out). */
  collectionItems(id: number): Promise<CollectionItem[]>;
  /** Of these papers, which of the owner's collections hold each (papers in none are absent). */
  collectionsHolding(ownerId: number, paperIds: readonly string[]): Promise<Map<string, number[]>>;

  /** Appends a paper (already in the store, not hidden) at the end. Null when there is no such collection of
   *  this owner or no such paper. */
  addItem(collectionId: number, ownerId: number, paperId: string, now: Date): Promise<AddItemResult | null>;
  removeItem(collectionId: number, ownerId: number, paperId: string, now: Date): Promise<boolean>;
  /** Swaps the paper with its neighbour before (up) or after (down); false when it is at that end already or
   *  not in this owner's collection. */
  moveItem(
    collectionId: number,
    ownerId: number,
    paperId: string,
    direction: 'up' | 'down',
    now: Date,
  ): Promise<boolean>;

  /** Papers in any of the member's collections, most recently added first, each once (hidden papers left out). */
  savedBy(accountId: number, limit: number): Promise<string[]>;

  /** "Not interested": the paper leaves the member's "for you" list. Idempotent. */
  dismiss(accountId: number, paperId: string, now: Date): Promise<void>;
  undismiss(accountId: number, paperId: string): Promise<boolean>;
  /** Forgets every dismissal of the member; returns how many there were. */
  clearDismissed(accountId: number): Promise<number>;
  /** Dismissed papers, most recent first. */
  dismissedBy(accountId: number, limit: number): Promise<string[]>;

  /** False when the member follows FOLLOWS_PER_MEMBER_MAX things already; following twice is fine (true). */
  follow(accountId: number, kind: FollowKind, target: string, label: string, now: Date): Promise<boolean>;
  unfollow(accountId: number, kind: FollowKind, target: string): Promise<boolean>;
  isFollowing(accountId: number, kind: FollowKind, target: string): Promise<boolean>;
  /** Everything the member follows, newest first. */
  followsOf(accountId: number): Promise<Follow[]>;

  /** The member whose (verified, lower-cased) sign-in address this is, e.g. for a digest subscriber. */
  accountIdForEmail(email: string): Promise<number | null>;
}
