/**
 * Trending, in one formula anyone can read (shown on /about/trending):
 *
 *   score = (upvotes + 2 × comments + 1) / (hours since submission + 2) ^ 1.5
 *
 * Comments are the local discussion only: counts imported from Hugging Face were never this community's.
 * Votes and discussion lift a paper; age pulls it down, a little faster than linearly, so that a fresh
 * paper with a few votes overtakes an old one with slightly more (the Hacker News gravity idea with a
 * gentler exponent, since papers are read over days, not hours).
 *
 * The trending list ranks the entries of the TRENDING_WINDOW_DAYS days ending with the latest day that has
 * papers (trendingWindow), judged at trendingReference: the page, the feed, the recommender's cold start and
 * both stores take them from here.
 */
import { addDays } from './periods.ts';

export const TRENDING_GRAVITY = 1.5;
export const TRENDING_COMMENT_WEIGHT = 2;
export const TRENDING_AGE_OFFSET_HOURS = 2;

export function trendingScore(upvotes: number, comments: number, ageHours: number): number {
  const age = Math.max(0, ageHours);
  return (upvotes + TRENDING_COMMENT_WEIGHT * comments + 1) / (age + TRENDING_AGE_OFFSET_HOURS) ** TRENDING_GRAVITY;
}

export function ageInHours(submittedAt: string, now: Date): number {
  return (now.getTime() - Date.parse(submittedAt)) / 3_600_000;
}

/** The trending list ranks the entries of this many days, ending with the latest day that has papers. */
export const TRENDING_WINDOW_DAYS = 7;

/** The days the trending list ranks: TRENDING_WINDOW_DAYS days ending with `latestDay`, the latest day that has papers. */
export function trendingWindow(latestDay: string): { firstDay: string; lastDay: string } {
  return { firstDay: addDays(latestDay, 1 - TRENDING_WINDOW_DAYS), lastDay: latestDay };
}

/** The instant entries of days up to `lastDay` are judged at: now, or, for a past period, the end of its last day. */
export function trendingReference(lastDay: string, now = Date.now()): string {
  const endOfPeriod = Date.parse(`${lastDay}T23:59:59.999Z`);
  return new Date(Math.min(now, endOfPeriod)).toISOString();
}
