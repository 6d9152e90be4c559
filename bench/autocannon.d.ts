/** The part of autocannon 9's programmatic API that the benchmarks use (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds to wait for a response. */
      timeout?: number;
      title?: string;
      headers?: Record<string, string>;
      /** Each connection loops over these; setupRequest may rewrite a request just before it is sent. */
      requests?: RequestSpec[] | undefined;
    }

    interface RequestParams {
      path: string;
      method?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    }

    interface RequestSpec extends Partial<RequestParams> {
      setupRequest?: (request: RequestParams, context: Record<string, unknown>) => RequestParams;
    }

    interface Histogram {
      average: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p99: number;
    }

    interface Result {
      title?: string;
      url: string;
      /** Seconds. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      statusCodeStats: Record<string, { count: number }>;
      requests: Histogram & { sent: number };
      /** Milliseconds, whole, 2xx responses only. */
      latency: Histogram;
      throughput: Histogram;
    }

    /** An EventEmitter ('response': client, statusCode, resBytes, responseTimeMs) that is also a promise of the result. */
    interface Instance extends EventEmitter, PromiseLike<Result> {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
