/** Content negotiation on the Accept header, for the few addresses that have more than one representation. */

/** The weight (q) the Accept header gives a media type: its own entry, else `type/*`, else `*\/*`, else 0. */
export function acceptWeight(accept: string | undefined, mediaType: string): number {
  if (!accept) return 0;
  const [type] = mediaType.split('/');
  let exact: number | undefined;
  let family: number | undefined;
  let any: number | undefined;
  for (const part of accept.slice(0, 1000).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    let q = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(param);
      if (m) q = Number(m[1]);
    }
    if (name === mediaType) exact = q;
    else if (name === `${type}/*`) family = q;
    else if (name === '*/*') any = q;
  }
  return exact ?? family ?? any ?? 0;
}

/**
 * Whether a request asks for Markdown rather than HTML: it names text/markdown, and weighs it above text/html
 * (a browser's `text/html,…,*\/*;q=0.8` does not; `Accept: text/markdown` does).
 */
export function prefersMarkdown(accept: string | undefined): boolean {
  if (!accept?.toLowerCase().includes('text/markdown')) return false;
  const markdown = acceptWeight(accept, 'text/markdown');
  return markdown > 0 && markdown > acceptWeight(accept, 'text/html');
}
