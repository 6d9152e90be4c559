/**
 * The jobs interface: scheduled and queued background work (embedding new papers, the daily arXiv harvest,
 * the daily and weekly digests, fetching images into the image cache, papers' first-page thumbnails, generated summaries, notification emails) behind one small API, with two
 * implementations:
 *
 * - in-process (the embedded default, SQLite): croner schedules in the serving process, runs in that process;
 * - pg-boss (PostgreSQL): schedules and queues in the database, shared by any number of worker processes on
 *   any number of machines; each job runs once.
 *
 * A run may belong to a window (the harvest of 2026-07-24, the daily digest of 2026-07-24): a window is run at
 * most once, however many processes ask for it (every worker's schedule fires; an admin runs it by hand too).
 * Runs without a window (embedding, images, thumbnails, summaries: they only ever do what is missing) never overlap and never pile up:
 * at most one waits while one runs.
 */

export type JobName = 'embed' | 'harvest' | 'digest' | 'images' | 'thumbnails' | 'summaries' | 'notify';

export const JOB_NAMES: readonly JobName[] = [
  'embed',
  'harvest',
  'digest',
  'images',
  'thumbnails',
  'summaries',
  'notify',
];

/** A request for one run of a job. */
export interface JobRequest {
  name: JobName;
  /** Handed to the handler as is (JSON). */
  data: Record<string, unknown>;
  /** "harvest:2026-07-24", "digest:daily:2026-07-24": run at most once. Null: idempotent, may run again. */
  window: string | null;
}

/** What a worker does for a job. Handlers are thin: they call the job's own code (ingest, digest, indexer). */
export interface JobHandler {
  name: JobName;
  run(data: Record<string, unknown>, signal: AbortSignal): Promise<void>;
}

/** A job due on a clock: when the pattern fires, `request` says which run (and window) is due now. */
export interface ScheduledJob {
  /** Unique per schedule, e.g. "harvest", "digest-daily". */
  key: string;
  name: JobName;
  /** Five-field cron pattern. */
  cron: string;
  timeZone: string;
  request(now: Date): Promise<JobRequest>;
}

export interface JobQueue {
  readonly kind: 'in-process' | 'pg-boss';
  /**
   * Asks for a run. False when it is not queued: the window was asked for already (queued, running or done),
   * or (without a window) a run of this job is already waiting.
   */
  enqueue(request: JobRequest): Promise<boolean>;
  /** Makes this process a worker: runs these handlers, and keeps these schedules (others are removed). */
  work(handlers: readonly JobHandler[], schedules: readonly ScheduledJob[]): Promise<void>;
  /** Stops schedules and workers; a run in progress is given a moment to finish (it resumes elsewhere if not). */
  stop(): Promise<void>;
}

/** A run's window for log lines and ids. */
export function describeRequest(request: JobRequest): string {
  return request.window ?? request.name;
}
