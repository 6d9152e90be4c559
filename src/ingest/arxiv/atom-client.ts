/**
 * The arXiv API (Atom, http://export.arxiv.org/api/query): look-ups by id, used by submissions, and newest
 * papers of a category, the fallback when OAI-PMH cannot be reached. Shares the polite fetcher of the
 * harvester, so both together stay within arXiv's request rate.
 */
import { normalizeArxivId } from '../../domain/arxiv-id.ts';
import type { PoliteFetcher } from './polite-fetch.ts';
import { ArxivApiError, parseAtomFeed, type AtomEntry, type AtomFeed } from './atom-feed.ts';
import { MalformedXmlError } from './xml.ts';

export interface LookupResult {
  /** Found papers by id (without version). */
  found: Map<string, Extract<AtomEntry, { kind: 'paper' }>>;
  /** Requested ids that arXiv does not know. */
  missing: string[];
  skipped: Extract<AtomEntry, { kind: 'skipped' }>[];
}

/** The API documents 2,000 results per call as the practical maximum; id lists are kept far below URL limits. */
const IDS_PER_REQUEST = 100;

export class ArxivApiClient {
  readonly #baseUrl: string;
  readonly #fetcher: PoliteFetcher;
  readonly #now: () => Date;

  constructor(options: { baseUrl: string; fetcher: PoliteFetcher; now?: () => Date }) {
    this.#baseUrl = options.baseUrl;
    this.#fetcher = options.fetcher;
    this.#now = options.now ?? (() => new Date());
  }

  /** Papers by arXiv id (with or without version). Ids that are not arXiv ids are refused before asking. */
  async lookup(ids: readonly string[]): Promise<LookupResult> {
    const wanted: string[] = [];
    for (const raw of ids) {
      const id = normalizeArxivId(raw);
      if (!id) throw new ArxivApiError(`not an arXiv id: ${raw.slice(0, 40)}`);
      if (!wanted.includes(id)) wanted.push(id);
    }
    const result: LookupResult = { found: new Map(), missing: [], skipped: [] };
    for (let i = 0; i < wanted.length; i += IDS_PER_REQUEST) {
      const batch = wanted.slice(i, i + IDS_PER_REQUEST);
      const feed = await this.#query({ id_list: batch.join(','), start: '0', max_results: String(batch.length) });
      for (const entry of feed.entries) {
        if (entry.kind === 'paper') result.found.set(entry.id, entry);
        else result.skipped.push(entry);
      }
    }
    result.missing = wanted.filter((id) => !result.found.has(id));
    return result;
  }

  /** Newest papers of a category ("cs.CL"), or of an archive ("cs" becomes cat:cs.*), newest submission first. */
  async newestInCategory(category: string, start: number, maxResults: number): Promise<AtomFeed> {
    const query = category.includes('.') ? `cat:${category}` : `cat:${category}.*`;
    return this.#query({
      search_query: query,
      sortBy: 'submittedDate',
      sortOrder: 'descending',
      start: String(start),
      max_results: String(maxResults),
    });
  }

  async #query(params: Record<string, string>): Promise<AtomFeed> {
    const url = new URL(this.#baseUrl);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const response = await this.#fetcher.get(url.toString());
    // Bad requests come back as 400 with an Atom error entry; parse it to say what was wrong.
    try {
      return parseAtomFeed(response.text, this.#now());
    } catch (error) {
      if (error instanceof MalformedXmlError && response.status >= 400) {
        throw new ArxivApiError(`arXiv API answered HTTP ${response.status}: ${response.text.slice(0, 200)}`);
      }
      throw error;
    }
  }
}
