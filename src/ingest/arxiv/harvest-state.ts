/**
 * Where a harvest got to, kept in the store's job state after every page. A page's papers are written first
 * and its resumption token second, so a run killed between the two fetches that page again: papers are
 * upserts by id, so the repeat changes nothing, and no page is ever skipped.
 */
import { z } from 'zod';
import type { Store } from '../../store/store.ts';

const runSchema = z.object({
  from: z.string().nullable(),
  until: z.string(),
  set: z.string().nullable(),
  metadataPrefix: z.enum(['arXiv', 'arXivRaw']),
  /** The next page to fetch; null before the first page. */
  token: z.string().nullable(),
  pages: z.number().int(),
  records: z.number().int(),
  startedAt: z.string(),
  /** Runs computed from the last completed harvest move `harvestedThrough` forward; a manual range does too
   *  only when it joins on to it. */
  incremental: z.boolean(),
});

const stateSchema = z.object({
  /** Last `until` day of a completed, gap-free harvest: the next incremental run starts on this day. */
  harvestedThrough: z.string().nullable(),
  run: runSchema.nullable(),
});

export type HarvestRun = z.infer<typeof runSchema>;
export type HarvestState = z.infer<typeof stateSchema>;

export function harvestStateKey(metadataPrefix: string, set: string | null): string {
  return `harvest:arxiv-oai:${metadataPrefix}:${set ?? '*'}`;
}

export async function readHarvestState(store: Store, key: string): Promise<HarvestState> {
  const raw = await store.getJobState<unknown>(key);
  if (raw === null) return { harvestedThrough: null, run: null };
  const parsed = stateSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // An unreadable run (another version wrote it) is dropped: starting that run over costs re-fetching, never
  // a gap. Where the completed harvests reached is kept if it can be read, so incremental runs go on from it.
  const through = (raw as { harvestedThrough?: unknown } | null)?.harvestedThrough;
  return { harvestedThrough: typeof through === 'string' ? through : null, run: null };
}

export async function writeHarvestState(store: Store, key: string, state: HarvestState): Promise<void> {
  await store.setJobState(key, state);
}
