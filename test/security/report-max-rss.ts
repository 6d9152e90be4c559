/**
 * Preloaded into a child process (`node --import ./report-max-rss.ts …`): when the process exits, writes its peak
 * resident set size to stderr as `max-rss-kb: N`, for tests that bound the memory of a command. The kernel counts
 * the peak, so nothing is sampled and nothing is missed.
 */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nmax-rss-kb: ${process.resourceUsage().maxRSS}\n`);
});
