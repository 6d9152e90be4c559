/**
 * What /healthz reports: whether the database and the outbox can take a write. Both checks touch the disk, and a
 * load balancer asks every few seconds, so the answer is kept for a few seconds.
 */
import type { Config } from '../config.ts';
import { outboxProblem } from '../mail/mailer.ts';
import type { Store } from '../store/store.ts';

const HEALTH_CACHE_MS = 5_000;

/** The problems now (empty when all is well), at most one look at the disk every few seconds. */
export function healthCheck(store: Store, config: Config, cacheMs = HEALTH_CACHE_MS): () => Promise<string[]> {
  let last: { at: number; problems: Promise<string[]> } | null = null;
  return () => {
    const now = Date.now();
    if (last === null || now - last.at >= cacheMs) last = { at: now, problems: findProblems(store, config) };
    return last.problems;
  };
}

async function findProblems(store: Store, config: Config): Promise<string[]> {
  const problems = [await store.writeProblem(), outboxProblem(config.mail)];
  return problems.filter((problem) => problem !== null);
}
