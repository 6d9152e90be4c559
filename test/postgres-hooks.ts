/**
 * Preload (node --import) that gives test files test/postgres-helpers.ts wherever they import
 * test/helpers.ts: their memoryStore() is then a PostgreSQL store. See test/postgres-http.test.ts.
 */
import { registerHooks } from 'node:module';

const helpers = new URL('./helpers.ts', import.meta.url).href;
const replacement = new URL('./postgres-helpers.ts', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    return resolved.url === helpers && context.parentURL !== replacement ? { ...resolved, url: replacement } : resolved;
  },
});
