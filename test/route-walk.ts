/** Walking the app's own route table (security tests): every registered route, with its parameters filled in. */
import type { Hono } from 'hono';

/** The route's path with every parameter set to `value`; null when the value cannot match a parameter's pattern. */
export function concrete(path: string, value: string): string | null {
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    // a malformed escape is itself a value worth sending
  }
  let fits = true;
  const filled = path.replace(
    /:(\w+)(?:\{((?:[^{}]|\{[^}]*\})*)\})?/g,
    (_whole, _name: string, pattern: string | undefined) => {
      if (pattern && ![value, decoded].some((v) => new RegExp(`^(?:${pattern})$`).test(v))) fits = false;
      return value;
    },
  );
  return fits ? filled : null;
}

/** Every registered route once (by method and path), middleware (`ALL`) left out. */
export function registeredRoutes(app: Hono): { method: string; path: string }[] {
  return [
    ...new Map(
      app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => [`${r.method} ${r.path}`, { method: r.method, path: r.path }]),
    ).values(),
  ];
}
