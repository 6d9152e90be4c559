/** The records Paperboy keeps, independent of any storage backend or wire format. */

export interface Organization {
  /** URL slug, e.g. "google". */
  name: string;
  fullname: string;
  avatar: string | null;
  /** Identifier at the source (Hugging Face `_id`), when known. */
  externalId: string | null;
}

export interface PaperAuthor {
  name: string;
  /** Identifier at the source (Hugging Face author `_id`), when known. It names this entry of this paper only,
   *  never a person: the source gives every author of every paper an id of its own. */
  externalId: string | null;
  hidden: boolean;
  /** The Hugging Face account the source ties this entry to (claimed by its holder, or assigned by the site's
   *  administrators), by handle; absent when none. Tells apart people who share a name. */
  hfUser?: string | undefined;
}

export interface Member {
  /** Handle, unique, e.g. "taesiri". */
  name: string;
  fullname: string;
  avatarUrl: string | null;
  externalId: string | null;
}

export interface Paper {
  /** arXiv id without version: "2608.19880" or "hep-th/9901001". */
  id: string;
  title: string;
  summary: string;
  /** ISO-8601 UTC instant, always ending in Z. */
  publishedAt: string;
  authors: PaperAuthor[];
  categories: string[];
  organization: Organization | null;
  githubRepo: string | null;
  githubStars: number | null;
  projectPage: string | null;
  aiSummary: string | null;
  aiKeywords: string[];
  /** A summary and keywords a language model wrote here (src/summaries/), where none was imported; labelled as such. */
  generatedSummary: GeneratedSummary | null;
  withdrawn: boolean;
  upvotes: number;
  /** Local discussion: this instance's comments on the paper, neither deleted nor hidden. */
  numComments: number;
  /** Comments the paper had on Hugging Face when imported (not this instance's discussion); 0 if none. */
  hfComments: number;
  discussionId: string | null;
  /** The first day the paper was on the daily feed, as an ISO instant; null if never. */
  submittedOnDailyAt: string | null;
  submittedOnDailyBy: Member | null;
}

export interface GeneratedSummary {
  text: string;
  keywords: string[];
  /** The model that wrote it, as the endpoint named it (LLM_MODEL). */
  model: string;
  /** ISO instant it was written. */
  at: string;
}

/** One paper on the daily feed of one day. */
export interface DailyEntry {
  /** YYYY-MM-DD: the feed day the entry belongs to. */
  day: string;
  paper: Paper;
  /** ISO instant of the submission. */
  submittedAt: string;
  submittedBy: Member | null;
  /** ISO instant shown at the top level of an API item (HF: item.publishedAt). */
  listedPublishedAt: string;
  thumbnail: string | null;
  isAuthorParticipating: boolean;
}

/** What an importer hands to the store: a paper as the source describes it. */
export interface PaperInput {
  id: string;
  title: string;
  summary: string;
  publishedAt: string;
  authors: PaperAuthor[];
  categories?: string[] | undefined;
  organization?: Organization | null | undefined;
  githubRepo?: string | null | undefined;
  githubStars?: number | null | undefined;
  projectPage?: string | null | undefined;
  aiSummary?: string | null | undefined;
  aiKeywords?: string[] | undefined;
  withdrawn?: boolean | undefined;
  /** Upvotes counted at the source; the store keeps the highest seen and adds local votes. */
  upvotes?: number | undefined;
  /** Comments counted at the source (Hugging Face); kept apart from local discussion. */
  numComments?: number | undefined;
  discussionId?: string | null | undefined;
}

export interface DailyEntryInput {
  day: string;
  paperId: string;
  /** Position of the paper in the source list of that day (ties on upvotes keep this order). */
  position: number;
  submittedAt: string;
  submittedBy: Member | null;
  listedPublishedAt: string;
  thumbnail: string | null;
  isAuthorParticipating: boolean;
}
