/** Settings of the job queue on PostgreSQL (pg-boss), from the environment; the defaults suit production. */
import { z } from 'zod';

const schema = z.object({
  /** Schema of pg-boss's tables, in the store's database. */
  PAPERBOY_JOBS_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'PAPERBOY_JOBS_SCHEMA must be a plain lower-case identifier').default('pgboss'),
  /** How often an idle worker looks for jobs. */
  PAPERBOY_JOBS_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  /** A worker that holds a job proves it is alive this often (half of it); silence this long fails the attempt. */
  PAPERBOY_JOBS_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).default(30),
  /** How often workers look for attempts whose worker died. */
  PAPERBOY_JOBS_SUPERVISE_SECONDS: z.coerce.number().int().min(1).default(30),
  /** First wait before a failed attempt is retried (doubling each time). */
  PAPERBOY_JOBS_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0).default(30),
});

export interface JobsConfig {
  schema: string;
  pollSeconds: number;
  heartbeatSeconds: number;
  superviseSeconds: number;
  retryDelaySeconds: number;
}

export function loadJobsConfig(env: Record<string, string | undefined> = process.env): JobsConfig {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '' && v !== undefined)));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    schema: e.PAPERBOY_JOBS_SCHEMA,
    pollSeconds: e.PAPERBOY_JOBS_POLL_SECONDS,
    heartbeatSeconds: e.PAPERBOY_JOBS_HEARTBEAT_SECONDS,
    superviseSeconds: e.PAPERBOY_JOBS_SUPERVISE_SECONDS,
    retryDelaySeconds: e.PAPERBOY_JOBS_RETRY_DELAY_SECONDS,
  };
}
