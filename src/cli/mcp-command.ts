/**
 * `paperboy mcp`: the instance's MCP tools over stdio, for an assistant that starts the command itself. Reads
 * the database of DATABASE_URL like every command, runs no background job, writes logs to stderr only (stdout is
 * the protocol), and acts as the member of PAPERBOY_TOKEN if set (anonymous, read tools only, if not). Ends
 * when its input closes, once the answers it owes are written (within 5 seconds).
 */
import type { Config } from '../config.ts';
import { createLogger } from '../log.ts';
import { openStore } from '../store/open-store.ts';
import { SearchService } from '../search/search-service.ts';
import { DEFAULT_INDEXER_OPTIONS, SemanticIndexer } from '../search/semantic-indexer.ts';
import { searchRecommender } from '../recs/member-feed.ts';
import { RateLimiter } from '../community/rate-limits.ts';
import { tokenHolder } from '../community/api-tokens.ts';
import { serveStdio } from '../mcp/stdio.ts';

/** Answers still owed when the input closes get this long; the process is gone within 5 s in all. */
const DRAIN_MS = 4000;

export async function runMcp(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel, process.stderr);
  const store = await openStore(config.databaseUrl);
  try {
    let caller = { account: null, scope: null, address: 'stdio' } as Parameters<typeof serveStdio>[1];
    if (config.mcpToken !== null) {
      const secret = config.mcpToken;
      const holder = await tokenHolder(store.tokens, secret);
      if (!holder)
        throw new Error('PAPERBOY_TOKEN is not a valid access token (revoked, mistyped, or its member cannot act)');
      caller = {
        account: holder.account,
        scope: holder.token.scope,
        address: 'stdio',
        recheck: async () => (await tokenHolder(store.tokens, secret))?.account ?? null,
      };
    } else if (config.access.read === 'members') {
      throw new Error(
        'this instance is for members only (PAPERBOY_READ=members): set PAPERBOY_TOKEN to a member’s token',
      );
    }
    const search = new SearchService(store, null);
    if (config.semanticSearch) {
      // The model the workers keep, if any: loaded, never trained here.
      const indexer = new SemanticIndexer(
        store,
        { ...DEFAULT_INDEXER_OPTIONS, modelDir: config.modelDir },
        logger,
        (e) => search.setEmbedder(e),
      );
      await indexer
        .loadActive()
        .catch((error: unknown) => logger.warn({ err: error }, 'search model not loaded; search is lexical'));
    }
    const services = {
      store,
      search,
      recommender: searchRecommender(store, search),
      limiter: new RateLimiter(store.community, config.community.rateLimitFactor),
      publicUrl: config.publicUrl,
      logger,
    };
    await serveStdio(services, caller, { input: process.stdin, output: process.stdout, logger, drainMs: DRAIN_MS });
  } finally {
    await store.close();
  }
  // Timers of the services (caches, pools) must not keep a finished command alive.
  process.exit(process.exitCode ?? 0);
}
