/**
 * A member's own data, as one JSON document (/settings/export): their account and its settings, upvotes (public
 * or not), comments, submissions, edits of papers' links, collections with their papers, dismissals, follows,
 * authorship claims and email digest subscription. Only what belongs to that member: other members appear nowhere (a comment's replies by others are
 * left out).
 */
import type { Account, PaperLinks } from '../store/community-store.ts';
import type { Store } from '../store/store.ts';

export const EXPORT_FORMAT = 'paperboy-member-export/1';
const LOTS = 100_000;

export interface MemberExport {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  account: Pick<
    Account,
    'id' | 'name' | 'fullname' | 'email' | 'role' | 'createdAt' | 'handleChosen' | 'upvotesPublic'
  >;
  /** All of them, also when the member keeps them private (upvotesPublic false): this is for the member. */
  upvotes: { paperId: string; title: string | null }[];
  submissions: { paperId: string; title: string | null }[];
  /** Project pages and repositories the member set, with what was there before. */
  linkEdits: { paperId: string; at: string; before: PaperLinks; after: PaperLinks }[];
  comments: {
    id: number;
    paperId: string;
    parentId: number | null;
    body: string;
    createdAt: string;
    editedAt: string | null;
  }[];
  collections: {
    id: number;
    name: string;
    description: string;
    public: boolean;
    createdAt: string;
    updatedAt: string;
    papers: { paperId: string; title: string | null; position: number; addedAt: string }[];
  }[];
  dismissedPapers: string[];
  follows: { kind: string; target: string; label: string; createdAt: string }[];
  /** Claims to be one of a paper's authors, whatever became of them (who decided is another member: left out). */
  authorClaims: {
    paperId: string;
    title: string | null;
    position: number;
    authorName: string;
    status: string;
    approvedVia: string | null;
    reason: string | null;
    showOnProfile: boolean;
    createdAt: string;
    decidedAt: string | null;
  }[];
  digestSubscription: {
    email: string;
    frequency: string;
    status: string;
    createdAt: string;
    confirmedAt: string | null;
    unsubscribedAt: string | null;
  } | null;
}

export async function exportMember(store: Store, account: Account, now: Date): Promise<MemberExport> {
  const [upvoted, submitted, linkEdits, comments, collections, dismissed, follows, subscription, claims] =
    await Promise.all([
      store.community.upvotedBy(account.id, LOTS),
      store.community.submittedBy(account.id, LOTS),
      store.community.linkChangesBy(account.id, LOTS),
      store.community.commentsBy(account.id, LOTS),
      store.collections.collectionsOf(account.id),
      store.collections.dismissedBy(account.id, LOTS),
      store.collections.followsOf(account.id),
      account.email ? store.subscriptions.getSubscriptionByEmail(account.email) : Promise.resolve(null),
      store.claims.claimsOf(account.id),
    ]);
  const items = await Promise.all(collections.map((c) => store.collections.collectionItems(c.id)));
  const ids = [
    ...new Set([...upvoted, ...submitted, ...items.flat().map((i) => i.paperId), ...claims.map((k) => k.paperId)]),
  ];
  const titles = new Map((await store.getPapers(ids)).map((p) => [p.id, p.title]));
  const title = (id: string) => titles.get(id) ?? null;
  return {
    format: EXPORT_FORMAT,
    exportedAt: now.toISOString(),
    account: {
      id: account.id,
      name: account.name,
      fullname: account.fullname,
      email: account.email,
      role: account.role,
      createdAt: account.createdAt,
      handleChosen: account.handleChosen,
      upvotesPublic: account.upvotesPublic,
    },
    upvotes: upvoted.map((paperId) => ({ paperId, title: title(paperId) })),
    submissions: submitted.map((paperId) => ({ paperId, title: title(paperId) })),
    linkEdits: linkEdits.map(({ paperId, at, before, after }) => ({ paperId, at, before, after })),
    comments: comments
      .filter((c) => c.author.id === account.id)
      .map((c) => ({
        id: c.id,
        paperId: c.paperId,
        parentId: c.parentId,
        body: c.body,
        createdAt: c.createdAt,
        editedAt: c.editedAt,
      })),
    collections: collections.map((c, i) => ({
      id: c.id,
      name: c.name,
      description: c.description,
      public: c.isPublic,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      papers: items[i]!.map((item) => ({
        paperId: item.paperId,
        title: title(item.paperId),
        position: item.position,
        addedAt: item.addedAt,
      })),
    })),
    dismissedPapers: dismissed,
    follows: follows.map((f) => ({ kind: f.kind, target: f.target, label: f.label, createdAt: f.createdAt })),
    authorClaims: claims.map((k) => ({
      paperId: k.paperId,
      title: title(k.paperId),
      position: k.position,
      authorName: k.authorName,
      status: k.status,
      approvedVia: k.approvedVia,
      reason: k.reason,
      showOnProfile: k.showOnProfile,
      createdAt: k.createdAt,
      decidedAt: k.decidedAt,
    })),
    digestSubscription: subscription
      ? {
          email: subscription.email,
          frequency: subscription.frequency,
          status: subscription.status,
          createdAt: subscription.createdAt,
          confirmedAt: subscription.confirmedAt,
          unsubscribedAt: subscription.unsubscribedAt,
        }
      : null,
  };
}
