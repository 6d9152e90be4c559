/**
 * Auto-feature rules: an instance may put harvested papers on its own daily feed when they match a category, an
 * organization or a keyword (PAPERBOY_AUTO_FEATURE='{"categories":["cs.CL"],"keywords":["retrieval"]}').
 * Only new submissions are featured, once: a new version of an old paper, or a paper already on the feed
 * (by a member or an earlier rule), is left alone. The feed otherwise stays the community's.
 */
import type { DailyEntryInput, PaperInput } from '../../domain/types.ts';
// The rules' format is a setting's, checked when the configuration is read (src/config.ts); matching is here.
import type { AutoFeatureRules } from '../../config.ts';

export interface FeatureCandidate {
  paper: PaperInput;
  /** Organization name and full name the store already holds for the paper, if any. */
  organization: { name: string; fullname: string } | null;
  affiliations: string[];
}

/** The first rule a paper matches, as a short text for logs ("category cs.CL"), or null. */
export function matchingRule(rules: AutoFeatureRules, candidate: FeatureCandidate): string | null {
  const categories = candidate.paper.categories ?? [];
  for (const rule of rules.categories) {
    const archive = rule.endsWith('.*') ? rule.slice(0, -2) : rule.includes('.') ? null : rule;
    if (categories.some((c) => c === rule || (archive !== null && (c === archive || c.startsWith(`${archive}.`))))) {
      return `category ${rule}`;
    }
  }
  const organizations = [candidate.organization?.name, candidate.organization?.fullname, ...candidate.affiliations]
    .filter((o): o is string => Boolean(o))
    .map((o) => o.toLowerCase());
  for (const rule of rules.organizations) {
    const wanted = rule.toLowerCase();
    if (organizations.some((o) => o === wanted || containsWords(o, wanted))) return `organization ${rule}`;
  }
  const text = `${candidate.paper.title}\n${candidate.paper.summary}`.toLowerCase();
  for (const rule of rules.keywords) {
    if (containsWords(text, rule.toLowerCase())) return `keyword ${rule}`;
  }
  return null;
}

/** Whole-word containment: "retrieval" matches "Retrieval-augmented" but not "retrievals". */
function containsWords(haystack: string, needle: string): boolean {
  const escaped = needle
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
  return escaped !== '' && new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').test(haystack);
}

/** Whether the paper's first version is recent enough, relative to the feed day, to count as new. */
export function isNewSubmission(paper: PaperInput, day: string, maxAgeDays: number): boolean {
  const ageMs = Date.parse(`${day}T23:59:59.999Z`) - Date.parse(paper.publishedAt);
  return ageMs <= (maxAgeDays + 1) * 86_400_000;
}

export function featureEntry(paper: PaperInput, day: string, position: number, at: string): DailyEntryInput {
  return {
    day,
    paperId: paper.id,
    position,
    submittedAt: at,
    submittedBy: null,
    listedPublishedAt: paper.publishedAt,
    thumbnail: null,
    isAuthorParticipating: false,
  };
}
