/**
 * "Similar papers" (on a paper page, and for assistants over MCP): the nearest papers by the configured embedder's vectors, or, where
 * there is no embedder or the paper has no vector yet, a lexical "more like this" with the title as the
 * query. Two or three store calls; the paper itself is left out.
 */
import type { Paper } from '../domain/types.ts';
import type { Logger } from '../log.ts';
import { parseQuery } from './query-parser.ts';
import { lexicalSearch } from './lexical/lexical-search.ts';
import type { SearchService } from './search-service.ts';
import type { ScoredPaper, Store } from '../store/store.ts';

export const SIMILAR_COUNT = 5;
const WEIGHTS = { title: 3, authors: 2, abstract: 1 };

export async function similarPapers(
  ctx: { store: Store; search: Pick<SearchService, 'embedder'>; logger: Logger },
  paper: Paper,
  count = SIMILAR_COUNT,
): Promise<Paper[]> {
  const { store } = ctx;
  try {
    let hits: ScoredPaper[] | null = null;
    const embedder = ctx.search.embedder;
    if (embedder) {
      const vector = await store.getVector(embedder.id, paper.id);
      if (vector) hits = await store.searchVectors(embedder.id, vector, count + 1, {});
    }
    // Quotes and stars in a title are not query syntax here: no required phrase, no prefix.
    hits ??= await lexicalSearch(store).search(parseQuery(paper.title.replace(/["*]/g, ' ')), {}, WEIGHTS, count + 1);
    return await store.getPapers(
      hits
        .map((h) => h.id)
        .filter((id) => id !== paper.id)
        .slice(0, count),
    );
  } catch (error) {
    // The paper matters more than its neighbours: a failure here leaves the section out.
    ctx.logger.warn({ err: error, paper: paper.id }, 'similar papers failed');
    return [];
  }
}
