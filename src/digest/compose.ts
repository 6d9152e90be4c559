/**
 * The digest message: the top trending papers of a period as an HTML part for mail clients (nested tables,
 * inline styles, 600 px wide at most, explicit colours on every cell plus a dark-mode block for clients that
 * honour prefers-color-scheme) and a plain-text part with the same content. The web preview shows the same HTML.
 *
 * A run renders the digest once; what differs per subscriber (unsubscribe link, "for you" papers) is put in
 * with string joins, which keeps composing 10,000 messages cheap.
 */
import type { Paper } from '../domain/types.ts';
import type { Store } from '../store/store.ts';
import type { Subscription } from '../store/subscription-store.ts';
import { excerpt, formatDay, formatRange, groupThousands } from '../domain/format.ts';
import { paperUrl } from '../domain/urls.ts';
import type { DigestPeriod } from './digest-period.ts';
import { mailSubject, type InstanceIdentity } from '../instance/identity.ts';
import { accentPalette } from '../instance/accent.ts';

export interface DigestContent {
  period: DigestPeriod;
  papers: Paper[];
}

/**
 * Extra papers for one subscriber (the "for you" section): recommendations plug in here when a subscriber is
 * a member with history. Return [] for none. Failures are logged and the digest goes out without the section.
 */
export type ForYouProvider = (subscription: Subscription, digest: DigestContent) => Promise<Paper[]>;

/** The top `top` trending papers of the period (a paper featured on two days of a week counts once). */
export async function loadDigest(store: Store, period: DigestPeriod, top: number): Promise<DigestContent> {
  const entries = await store.listDaily({
    firstDay: period.firstDay,
    lastDay: period.lastDay,
    sort: 'trending',
    offset: 0,
    limit: top * 2,
  });
  const seen = new Set<string>();
  const papers: Paper[] = [];
  for (const entry of entries) {
    if (seen.has(entry.paper.id)) continue;
    seen.add(entry.paper.id);
    papers.push(entry.paper);
    if (papers.length === top) break;
  }
  return { period, papers };
}

export function digestTitle(period: DigestPeriod): string {
  return period.frequency === 'daily'
    ? `Trending papers, ${formatDay(period.firstDay)}`
    : `Trending papers, week ${Number(period.label.slice(6))} (${formatRange(period.firstDay, period.lastDay)})`;
}

/** "[Instance] Trending papers, Jun 2, 2025: the lead paper's title" (shortened). */
export function digestSubject(digest: DigestContent, siteName: string): string {
  const lead = digest.papers[0]?.title ?? '';
  const short = lead.length > 60 ? `${lead.slice(0, 57).trimEnd()}…` : lead;
  return mailSubject(siteName, `${digestTitle(digest.period)}: ${short}`);
}

export function previewPath(period: DigestPeriod): string {
  return `/digest/${period.frequency}/${period.label}`;
}

export interface RecipientParts {
  /** Absolute https link that unsubscribes in one click (null in the web preview). */
  unsubscribeUrl: string | null;
  forYou: Paper[];
}

export interface ComposedDigest {
  subject: string;
  /** The instance's name, as the messages say it (e.g. in List-Id). */
  siteName: string;
  html(recipient: RecipientParts): string;
  text(recipient: RecipientParts): string;
}

const C = {
  page: '#f2f4f7',
  card: '#ffffff',
  border: '#e3e6eb',
  text: '#111827',
  text2: '#374151',
  text3: '#5b6472',
  accent: '#3730a3',
  vote: '#b45309',
};
/** Links in mail clients that honour the dark scheme. */
const DARK_LINK = '#a5b4fc';
const FONT = `-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif`;

/**
 * Renders the parts of the digest that are the same for everyone; the result composes each message. `site`:
 * the instance's name (the header and the text part) and accent colour (links, kept readable on white).
 */
export function composeDigest(
  digest: DigestContent,
  publicUrl: string,
  site: Pick<InstanceIdentity, 'name' | 'accent'>,
): ComposedDigest {
  const palette = site.accent ? accentPalette(site.accent) : null;
  const a = palette?.light.accent ?? C.accent;
  const darkLink = palette?.dark.accent ?? DARK_LINK;
  const title = digestTitle(digest.period);
  const webUrl = `${publicUrl}${previewPath(digest.period)}`;
  const intro =
    digest.period.frequency === 'daily'
      ? `The ${digest.papers.length} papers the community is reading most from ${formatDay(digest.period.firstDay)}.`
      : `The ${digest.papers.length} papers the community read most in week ${Number(digest.period.label.slice(6))}.`;
  const htmlPapers = digest.papers.map((paper, i) => paperRowHtml(paper, i + 1, publicUrl, a)).join('');
  const textPapers = digest.papers.map((paper, i) => paperText(paper, i + 1, publicUrl)).join('\n');
  // The web version links to itself nowhere: "view in your browser" is for the emailed copy only.
  const heads = {
    emailed: htmlHead(title, intro, webUrl, publicUrl, site.name, a, darkLink),
    web: htmlHead(title, intro, null, publicUrl, site.name, a, darkLink),
  };
  return {
    subject: digestSubject(digest, site.name),
    siteName: site.name,
    html: (r) =>
      `${r.unsubscribeUrl ? heads.emailed : heads.web}${htmlPapers}${r.forYou.length > 0 ? forYouHtml(r.forYou, publicUrl, a) : ''}${htmlFooter(r.unsubscribeUrl, webUrl, publicUrl, digest.period, a)}`,
    text: (r) =>
      [
        `${site.name} — ${title}`,
        intro,
        `Web version: ${webUrl}`,
        '',
        textPapers,
        ...(r.forYou.length > 0
          ? ['For you', '', r.forYou.map((p, i) => paperText(p, i + 1, publicUrl)).join('\n')]
          : []),
        '-- ',
        `You get this ${digest.period.frequency} digest because you subscribed at ${publicUrl}.`,
        ...(r.unsubscribeUrl ? [`Unsubscribe (one click): ${r.unsubscribeUrl}`] : []),
        '',
      ].join('\n'),
  };
}

function byline(paper: Paper): string {
  if (paper.organization) return paper.organization.fullname;
  const names = paper.authors.filter((a) => !a.hidden).map((a) => a.name);
  if (names.length === 0) return '';
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} others`;
}

function upvotes(paper: Paper): string {
  return `${groupThousands(paper.upvotes)} ${paper.upvotes === 1 ? 'upvote' : 'upvotes'}`;
}

function paperText(paper: Paper, rank: number, publicUrl: string): string {
  const meta = [byline(paper), upvotes(paper)].filter(Boolean).join(' · ');
  return `${rank}. ${oneLine(paper.title)}\n   ${meta}\n   ${excerpt(paper.summary, 280)}\n   ${publicUrl}${paperUrl(paper.id)}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function htmlHead(
  title: string,
  intro: string,
  webUrl: string | null,
  publicUrl: string,
  siteName: string,
  accent: string,
  darkLink: string,
): string {
  return `<!doctype html>
<html lang="en" xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${esc(title)}</title>
<style>
  body { margin: 0; padding: 0; }
  a { text-decoration: none; }
  @media (prefers-color-scheme: dark) {
    .pb-page { background: #0d1117 !important; }
    .pb-card { background: #151b24 !important; border-color: #263041 !important; }
    .pb-text { color: #e8ebf0 !important; }
    .pb-text2 { color: #c3c9d3 !important; }
    .pb-text3 { color: #9aa3b1 !important; }
    .pb-link { color: ${darkLink} !important; }
    .pb-vote { color: #fbbf24 !important; }
    .pb-rule { border-color: #263041 !important; }
  }
  @media (max-width: 480px) { .pb-pad { padding-left: 16px !important; padding-right: 16px !important; } }
</style>
</head>
<body class="pb-page" style="margin:0;padding:0;background:${C.page};">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${esc(intro)}</div>
<table role="presentation" class="pb-page" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:${C.page};">
<tr><td align="center" style="padding:24px 8px;">
<table role="presentation" class="pb-card" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background:${C.card};border:1px solid ${C.border};border-radius:12px;">
<tr><td class="pb-pad" style="padding:24px 28px 8px 28px;font-family:${FONT};">
<a class="pb-link" href="${esc(publicUrl)}/" style="color:${accent};font-size:15px;font-weight:700;text-decoration:none;">${esc(siteName)}</a>
<h1 class="pb-text" style="margin:10px 0 6px 0;color:${C.text};font-size:22px;line-height:1.3;font-weight:800;">${esc(title)}</h1>
<p class="pb-text3" style="margin:0 0 4px 0;color:${C.text3};font-size:14px;line-height:1.5;">${esc(intro)}${webUrl ? ` <a class="pb-link" href="${esc(webUrl)}" style="color:${accent};">View in your browser</a>` : ''}</p>
</td></tr>
`;
}

function paperRowHtml(paper: Paper, rank: number, publicUrl: string, accent: string): string {
  const url = `${publicUrl}${paperUrl(paper.id)}`;
  const meta = byline(paper);
  return `<tr><td class="pb-pad" style="padding:16px 28px;font-family:${FONT};">
<table role="presentation" class="pb-rule" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-top:1px solid ${C.border};"><tr>
<td valign="top" style="padding-top:16px;">
<p class="pb-text3" style="margin:0 0 4px 0;color:${C.text3};font-size:13px;line-height:1.4;"><span class="pb-vote" style="color:${C.vote};font-weight:700;">&#9650; ${esc(groupThousands(paper.upvotes))}</span>&nbsp;&nbsp;#${rank}${meta ? ` · ${esc(meta)}` : ''}</p>
<a class="pb-link" href="${esc(url)}" style="color:${accent};font-size:17px;line-height:1.35;font-weight:700;text-decoration:none;">${esc(oneLine(paper.title))}</a>
<p class="pb-text2" style="margin:6px 0 0 0;color:${C.text2};font-size:14px;line-height:1.55;">${esc(excerpt(paper.summary, 280))}</p>
</td></tr></table>
</td></tr>
`;
}

function forYouHtml(papers: Paper[], publicUrl: string, accent: string): string {
  return `<tr><td class="pb-pad" style="padding:20px 28px 0 28px;font-family:${FONT};">
<h2 class="pb-text" style="margin:0;color:${C.text};font-size:18px;font-weight:800;">For you</h2>
</td></tr>
${papers.map((paper, i) => paperRowHtml(paper, i + 1, publicUrl, accent)).join('')}`;
}

function htmlFooter(
  unsubscribeUrl: string | null,
  webUrl: string,
  publicUrl: string,
  period: DigestPeriod,
  accent: string,
): string {
  return `<tr><td class="pb-pad" style="padding:8px 28px 28px 28px;font-family:${FONT};">
<table role="presentation" class="pb-rule" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-top:1px solid ${C.border};"><tr>
<td style="padding-top:16px;">
<p class="pb-text3" style="margin:0;color:${C.text3};font-size:12px;line-height:1.6;">${
    unsubscribeUrl
      ? `You get this ${period.frequency} digest because you subscribed at <a class="pb-link" href="${esc(publicUrl)}/" style="color:${accent};">${esc(hostOf(publicUrl))}</a>. <a class="pb-link" href="${esc(unsubscribeUrl)}" style="color:${accent};text-decoration:underline;">Unsubscribe</a> in one click.`
      : `This is the web version of the ${period.frequency} digest. <a class="pb-link" href="${esc(publicUrl)}/digest" style="color:${accent};text-decoration:underline;">Get it in your inbox</a>.`
  }
${unsubscribeUrl ? ` <a class="pb-link" href="${esc(webUrl)}" style="color:${accent};">Web version</a>.` : ''}</p>
</td></tr></table>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );
}
