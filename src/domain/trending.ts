/**
 * Trending, in one formula anyone can read (shown on /about/trending):
 *
 *   score = (upvotes + 2 × comments + 1) / (hours since submission + 2) ^ 1.5
 *
 * Votes and discussion lift a paper; age pulls it down, a little faster than linearly, so that a fresh
 * paper with a few votes overtakes an old one with slightly more (the Hacker News gravity idea with a
 * gentler exponent, since papers are read over days, not hours).
 */
export const TRENDING_GRAVITY = 1.5;
export const TRENDING_COMMENT_WEIGHT = 2;
export const TRENDING_AGE_OFFSET_HOURS = 2;

export function trendingScore(upvotes: number, comments: number, ageHours: number): number {
  const age = Math.max(0, ageHours);
  return (upvotes + TRENDING_COMMENT_WEIGHT * comments + 1) / Math.pow(age + TRENDING_AGE_OFFSET_HOURS, TRENDING_GRAVITY);
}

export function ageInHours(submittedAt: string, now: Date): number {
  return (now.getTime() - Date.parse(submittedAt)) / 3_600_000;
}

/** The trending list ranks the entries of this many days, ending with the latest day that has papers. */
export const TRENDING_WINDOW_DAYS = 7;
