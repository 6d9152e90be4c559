/** Numbered query parameters ($1, $2, ...) collected while a statement is put together. */
import type { SearchFilters } from '../store.ts';

export class Params {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** SQL conditions on papers `p` for search filters, each prefixed with AND (empty without filters). */
export function filterConditions(filters: SearchFilters, params: Params): string {
  const conditions: string[] = [];
  if (filters.fromDay) conditions.push(`p.published_at >= ${params.add(`${filters.fromDay}T00:00:00.000Z`)}`);
  if (filters.toDay) conditions.push(`p.published_at <= ${params.add(`${filters.toDay}T23:59:59.999Z`)}`);
  if (filters.organization) {
    // By slug or by name, case-insensitively: "Tencent" and "tencent" are the same organization.
    const org = params.add(filters.organization);
    conditions.push(
      `p.organization_name IN (SELECT name FROM organizations WHERE lower(name) = lower(${org}) OR lower(fullname) = lower(${org}))`,
    );
  }
  if (filters.category) conditions.push(`p.categories @> jsonb_build_array(${params.add(filters.category)}::text)`);
  if (filters.hasCode) conditions.push('p.github_repo IS NOT NULL');
  return conditions.map((c) => ` AND ${c}`).join('');
}

export const hasFilters = (f: SearchFilters) =>
  Boolean(f.fromDay || f.toDay || f.organization || f.category || f.hasCode);
