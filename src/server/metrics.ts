/** Prometheus metrics: request counts and latencies by route pattern, plus the process defaults. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MiddlewareHandler } from 'hono';

export interface Metrics {
  registry: Registry;
  middleware: MiddlewareHandler;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'paperboy_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'paperboy_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const middleware: MiddlewareHandler = async (c, next) => {
    const started = performance.now();
    await next();
    // The matched pattern, not the raw path, so that label values stay few.
    const route = c.req.routePath || 'unmatched';
    const labels = { method: c.req.method, route };
    requests.inc({ ...labels, status: String(c.res.status) });
    latency.observe(labels, (performance.now() - started) / 1000);
  };
  return { registry, middleware };
}
