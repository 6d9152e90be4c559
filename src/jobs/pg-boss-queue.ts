/**
 * Jobs on PostgreSQL through pg-boss: schedules and queues live in the database (schema `pgboss` by default,
 * beside the store's tables), so that any number of worker processes share the work.
 *
 * - A schedule is one row however many workers declare it; pg-boss's clock sends one "tick" per occurrence,
 *   and the worker that takes the tick turns it into the run that is due (enqueue).
 * - A run with a window gets a job id derived from the window and the queue's singleton policy keyed by it:
 *   asking again for a window (a second tick, an admin, another worker) inserts nothing, and only one worker
 *   can hold it at a time.
 * - Runs without a window (embedding, images, thumbnails, summaries) use the stately policy: at most one queued and one running.
 * - Workers heartbeat the job they hold; a worker that dies (SIGKILL, lost machine) stops heartbeating, the
 *   supervisor of a live instance fails the attempt, and another worker retries it. The jobs resume: the
 *   harvest from its saved resumption token, the digest from its ledger.
 */
import { createHash } from 'node:crypto';
import { PgBoss, type Queue } from 'pg-boss';
import type { Logger } from '../log.ts';
import {
  describeRequest,
  JOB_NAMES,
  type JobHandler,
  type JobName,
  type JobQueue,
  type JobRequest,
  type ScheduledJob,
} from './jobs.ts';
import type { JobsConfig } from '../config.ts';

const TICK_QUEUE = 'paperboy-tick';

export function queueName(name: JobName): string {
  return `paperboy-${name}`;
}

/** A UUID made from the window, so that asking twice for a window names the same job. */
export function windowJobId(name: JobName, window: string): string {
  const hex = createHash('sha256').update(`paperboy/${name}/${window}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function queueOptions(name: JobName | 'tick', config: JobsConfig): Omit<Queue, 'name'> {
  const retry = { retryDelay: config.retryDelaySeconds, retryBackoff: true, retryDelayMax: 3600 };
  switch (name) {
    case 'embed':
    case 'images':
    case 'thumbnails':
    case 'summaries':
      return {
        policy: 'stately',
        retryLimit: 2,
        ...retry,
        expireInSeconds: 12 * 3600,
        heartbeatSeconds: config.heartbeatSeconds,
      };
    case 'harvest':
    case 'digest':
      // A full harvest or a large digest takes hours: liveness comes from the heartbeat, not from the expiry.
      return {
        policy: 'singleton',
        retryLimit: 5,
        ...retry,
        expireInSeconds: 24 * 3600,
        heartbeatSeconds: config.heartbeatSeconds,
      };
    case 'notify':
      // Every minute (immediate emails) and once a day (batches): short runs, each email claimed by one worker.
      return {
        policy: 'singleton',
        retryLimit: 2,
        ...retry,
        expireInSeconds: 3600,
        heartbeatSeconds: config.heartbeatSeconds,
      };
    case 'tick':
      return { policy: 'standard', retryLimit: 2, retryDelay: config.retryDelaySeconds, expireInSeconds: 300 };
  }
}

export interface PgBossJobQueueOptions {
  /** Whether this process works (supervises expired jobs, keeps the clock); web processes and the CLI only send. */
  worker: boolean;
  config: JobsConfig;
}

export class PgBossJobQueue implements JobQueue {
  readonly kind = 'pg-boss' as const;
  readonly #boss: PgBoss;
  readonly #logger: Logger;
  readonly #config: JobsConfig;
  #stopped = false;

  private constructor(boss: PgBoss, logger: Logger, config: JobsConfig) {
    this.#boss = boss;
    this.#logger = logger;
    this.#config = config;
  }

  /** Connects, installs or upgrades pg-boss's schema (once, under its lock), and creates the queues. */
  static async connect(url: string, logger: Logger, options: PgBossJobQueueOptions): Promise<PgBossJobQueue> {
    const { config } = options;
    const boss = new PgBoss({
      connectionString: url,
      schema: config.schema,
      application_name: options.worker ? 'paperboy-worker' : 'paperboy-jobs',
      max: options.worker ? 4 : 2,
      // Only workers keep pg-boss's clock (schedules) and supervise (heartbeats, expiry, retention).
      schedule: options.worker,
      supervise: options.worker,
      superviseIntervalSeconds: config.superviseSeconds,
      monitorIntervalSeconds: config.superviseSeconds,
    });
    boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
    await boss.start({ attempts: 3 });
    const queue = new PgBossJobQueue(boss, logger, config);
    for (const name of [...JOB_NAMES, 'tick' as const]) {
      const queueNameOf = name === 'tick' ? TICK_QUEUE : queueName(name);
      const settings = queueOptions(name, config);
      await boss.createQueue(queueNameOf, settings);
      // Workers own the queues' settings (retries, heartbeat); a process that only sends leaves them alone.
      if (options.worker) {
        const { policy: _policy, ...changeable } = settings;
        await boss.updateQueue(queueNameOf, changeable);
      }
    }
    return queue;
  }

  /** pg-boss itself (tests read job states through it). */
  get boss(): PgBoss {
    return this.#boss;
  }

  async enqueue(request: JobRequest): Promise<boolean> {
    const options =
      request.window === null ? {} : { id: windowJobId(request.name, request.window), singletonKey: request.window };
    const id = await this.#boss.send(queueName(request.name), request.data, options);
    this.#logger.info(
      { job: describeRequest(request), queued: id !== null },
      id !== null ? 'job queued' : 'job already queued, running or done',
    );
    return id !== null;
  }

  async work(handlers: readonly JobHandler[], schedules: readonly ScheduledJob[]): Promise<void> {
    const polling = { pollingIntervalSeconds: this.#config.pollSeconds };
    for (const handler of handlers) {
      await this.#boss.work<Record<string, unknown>>(queueName(handler.name), polling, async ([job]) => {
        if (!job) return;
        const started = performance.now();
        this.#logger.info({ job: handler.name, id: job.id, attempt: job.retryCount + 1 }, 'job started');
        await handler.run(job.data ?? {}, job.signal);
        this.#logger.info({ job: handler.name, id: job.id, seconds: (performance.now() - started) / 1000 }, 'job done');
      });
    }
    const byKey = new Map(schedules.map((s) => [s.key, s]));
    await this.#boss.work<{ key?: string }>(TICK_QUEUE, polling, async ([job]) => {
      const schedule = job ? byKey.get(String(job.data?.key)) : undefined;
      if (!schedule) return; // a schedule another worker's configuration has and this one's has not
      await this.enqueue(await schedule.request(new Date()));
    });
    for (const schedule of schedules) {
      await this.#boss.schedule(
        TICK_QUEUE,
        schedule.cron,
        { key: schedule.key },
        { tz: schedule.timeZone, key: schedule.key },
      );
      this.#logger.info({ job: schedule.key, cron: schedule.cron, timeZone: schedule.timeZone }, 'job scheduled');
    }
    for (const stale of await this.#boss.getSchedules(TICK_QUEUE)) {
      if (!byKey.has(stale.key)) await this.#boss.unschedule(TICK_QUEUE, stale.key);
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#boss.stop({ graceful: true, close: true, timeout: 10_000 });
  }
}
