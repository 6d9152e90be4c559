/**
 * The embedded default's jobs: croner schedules in this process, runs in this process, one run of a job at a
 * time (as the schedules always did: a run still going when the next is due is not overlapped). Windows are
 * remembered for the life of the process; across restarts the jobs' own state (harvest resumption point,
 * digest ledger) keeps a second run of a window harmless.
 */
import { Cron } from 'croner';
import type { Logger } from '../log.ts';
import {
  describeRequest,
  type JobHandler,
  type JobName,
  type JobQueue,
  type JobRequest,
  type ScheduledJob,
} from './jobs.ts';

interface Lane {
  running: Promise<void> | null;
  /** The run waiting for the current one (at most one per window; one for window-less jobs). */
  waiting: JobRequest[];
}

export class InProcessJobQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  readonly #logger: Logger;
  readonly #handlers = new Map<JobName, JobHandler>();
  readonly #lanes = new Map<JobName, Lane>();
  readonly #windows = new Set<string>();
  readonly #crons: Cron[] = [];
  readonly #abort = new AbortController();
  #stopped = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  async enqueue(request: JobRequest): Promise<boolean> {
    if (this.#stopped) return false;
    if (request.window !== null) {
      if (this.#windows.has(request.window)) return false;
      this.#windows.add(request.window);
    }
    const lane = this.#lane(request.name);
    if (request.window === null && lane.waiting.some((r) => r.window === null)) return false;
    lane.waiting.push(request);
    this.#pump(request.name);
    return true;
  }

  async work(handlers: readonly JobHandler[], schedules: readonly ScheduledJob[]): Promise<void> {
    for (const handler of handlers) this.#handlers.set(handler.name, handler);
    for (const schedule of schedules) {
      const cron = new Cron(
        schedule.cron,
        {
          name: `paperboy-${schedule.key}`,
          timezone: schedule.timeZone,
          catch: (error) => this.#logger.error({ err: error, job: schedule.key }, 'scheduling a job failed'),
        },
        async () => {
          await this.enqueue(await schedule.request(new Date()));
        },
      );
      this.#crons.push(cron);
      this.#logger.info(
        { job: schedule.key, next: cron.nextRun()?.toISOString(), timeZone: schedule.timeZone },
        'job scheduled',
      );
    }
    for (const name of this.#handlers.keys()) this.#pump(name);
  }

  /** Resolves when nothing runs or waits (tests, the CLI). */
  async drain(): Promise<void> {
    for (;;) {
      const busy = [...this.#lanes.values()].map((l) => l.running).filter((p): p is Promise<void> => p !== null);
      if (busy.length === 0) return;
      await Promise.all(busy);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const cron of this.#crons) cron.stop();
    for (const lane of this.#lanes.values()) lane.waiting.length = 0;
    this.#abort.abort();
  }

  #lane(name: JobName): Lane {
    let lane = this.#lanes.get(name);
    if (!lane) {
      lane = { running: null, waiting: [] };
      this.#lanes.set(name, lane);
    }
    return lane;
  }

  #pump(name: JobName): void {
    const lane = this.#lane(name);
    const handler = this.#handlers.get(name);
    if (lane.running || !handler || this.#stopped) return;
    const request = lane.waiting.shift();
    if (!request) return;
    lane.running = (async () => {
      const started = performance.now();
      try {
        await handler.run(request.data, this.#abort.signal);
        this.#logger.debug(
          { job: describeRequest(request), seconds: (performance.now() - started) / 1000 },
          'job done',
        );
      } catch (error) {
        this.#logger.error({ err: error, job: describeRequest(request) }, 'job failed');
      }
    })().finally(() => {
      lane.running = null;
      this.#pump(name);
    });
  }
}
